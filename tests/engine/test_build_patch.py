"""The two-way strategic merge patch of mode E (``debugByEphemeralContainer`` in staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go), on its own."""

from __future__ import annotations

from kdebug_nb.engine.builders.patch import two_way_merge_patch


def test_identical_objects_give_an_empty_patch() -> None:
    pod = {"spec": {"containers": [{"name": "a", "image": "x"}]}}
    assert two_way_merge_patch(pod, pod) == {}


def test_a_list_absent_from_the_original_is_sent_whole_without_directive() -> None:
    new = {"name": "d", "image": "busybox", "resources": {}}
    patch = two_way_merge_patch({"spec": {}}, {"spec": {"ephemeralContainers": [new]}})
    assert patch == {"spec": {"ephemeralContainers": [new]}}


def test_appending_to_a_keyed_list_sends_the_new_element_and_the_order() -> None:
    old = {"spec": {"ephemeralContainers": [{"name": "o1", "image": "b"},
                                            {"name": "o2", "image": "b"}]}}
    new = {"spec": {"ephemeralContainers": [*old["spec"]["ephemeralContainers"],
                                            {"name": "n", "image": "b"}]}}
    assert two_way_merge_patch(old, new) == {"spec": {
        "$setElementOrder/ephemeralContainers": [{"name": "o1"}, {"name": "o2"}, {"name": "n"}],
        "ephemeralContainers": [{"name": "n", "image": "b"}]}}


def test_changed_element_carries_its_key_and_only_the_difference() -> None:
    old = {"spec": {"containers": [{"name": "a", "image": "x", "env": [{"name": "E", "value": "1"}]},
                                   {"name": "b", "image": "y"}]}}
    new = {"spec": {"containers": [{"name": "a", "image": "x2",
                                    "env": [{"name": "E", "value": "1"}]},
                                   {"name": "b", "image": "y"}]}}
    assert two_way_merge_patch(old, new) == {"spec": {
        "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
        "containers": [{"name": "a", "image": "x2"}]}}


def test_removed_keys_become_null_and_removed_elements_delete() -> None:
    old = {"metadata": {"labels": {"a": "1"}}, "spec": {"volumes": [{"name": "v"}, {"name": "w"}]}}
    new = {"metadata": {}, "spec": {"volumes": [{"name": "w"}]}}
    assert two_way_merge_patch(old, new) == {
        "metadata": {"labels": None},
        "spec": {"$setElementOrder/volumes": [{"name": "w"}],
                 "volumes": [{"$patch": "delete", "name": "v"}]}}


def test_atomic_lists_are_replaced_whole() -> None:
    old = {"spec": {"tolerations": [{"operator": "Exists"}]}}
    new = {"spec": {"tolerations": [{"operator": "Exists"}, {"key": "k", "operator": "Equal"}]}}
    assert two_way_merge_patch(old, new) == new


def test_reordering_alone_sends_only_the_order() -> None:
    old = {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    new = {"spec": {"containers": [{"name": "b"}, {"name": "a"}]}}
    assert two_way_merge_patch(old, new) == {"spec": {
        "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}}
