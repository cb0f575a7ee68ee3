"""The last stage of the engine: API JSON to DataFrames with fixed, documented columns."""
