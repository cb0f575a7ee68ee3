"""Unit tests of the protobuf decoder on hand-assembled bytes.

Field numbers are spelled out literally (from generated.proto) so these tests
check the schema tables, not just the converter against itself.
"""

from __future__ import annotations

import pytest
from test_protobuf_encoder import bfield, envelope, f32field, vfield

from kdebug_nb.sandbox.protobuf import MAGIC, ProtobufError, decode_object


def pod(spec: bytes = b"", meta: bytes = b"", status: bytes | None = None) -> dict:
    raw = bfield(1, meta) + bfield(2, spec)
    if status is not None:
        raw += bfield(3, status)
    return decode_object(envelope("Pod", raw))


def container(*fields: bytes) -> bytes:
    return bfield(1, "c") + b"".join(fields)


def spec_with(*fields: bytes) -> dict:
    return pod(b"".join(fields))["spec"]


def one_container(*fields: bytes) -> dict:
    return spec_with(bfield(2, container(*fields)))["containers"][0]


# --- envelope ---------------------------------------------------------------


def test_minimal_pod_has_type_meta_and_go_value_structs() -> None:
    assert pod() == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {},
        "spec": {},
        "status": {},
    }


def test_delete_options_keep_a_zero_grace_period() -> None:
    raw = vfield(1, 0) + bfield(4, "Background") + bfield(5, "All") + vfield(3, False)
    raw += bfield(2, bfield(1, "uid-1") + bfield(2, ""))
    assert decode_object(envelope("DeleteOptions", raw)) == {
        "apiVersion": "v1",
        "kind": "DeleteOptions",
        "gracePeriodSeconds": 0,
        "preconditions": {"uid": "uid-1", "resourceVersion": ""},
        "orphanDependents": False,
        "propagationPolicy": "Background",
        "dryRun": ["All"],
    }


def test_delete_options_from_meta_group_version() -> None:
    body = envelope("DeleteOptions", vfield(1, 30), api_version="meta.k8s.io/v1")
    assert decode_object(body)["gracePeriodSeconds"] == 30


def test_missing_magic_is_refused() -> None:
    with pytest.raises(ProtobufError, match="magic"):
        decode_object(b'{"kind": "Pod"}')


def test_unsupported_kind_is_named() -> None:
    with pytest.raises(ProtobufError, match="'Service'"):
        decode_object(envelope("Service", b""))


def test_pod_in_another_group_version_is_refused() -> None:
    with pytest.raises(ProtobufError, match="apps/v1"):
        decode_object(envelope("Pod", b"", api_version="apps/v1"))


def test_content_encoding_is_refused() -> None:
    with pytest.raises(ProtobufError, match="gzip"):
        decode_object(envelope("Pod", b"", encoding="gzip"))


def test_truncated_body_is_refused() -> None:
    body = envelope("Pod", bfield(2, bfield(2, container(bfield(2, "busybox")))))
    with pytest.raises(ProtobufError, match="truncated"):
        decode_object(body[:-6])


# --- unknown fields are refused, never dropped ----------------------------------


def test_unknown_podspec_field_is_refused_with_its_number_and_type() -> None:
    with pytest.raises(ProtobufError, match=r"unknown field 99 .*in v1\.PodSpec"):
        spec_with(bfield(99, "x"))


def test_unknown_nested_field_names_the_nested_type() -> None:
    with pytest.raises(ProtobufError, match=r"unknown field 77 .*in v1\.SecurityContext"):
        one_container(bfield(15, vfield(77, 1)))


def test_unknown_field_in_the_envelope_is_refused() -> None:
    with pytest.raises(ProtobufError, match=r"unknown field 9 in runtime\.Unknown"):
        decode_object(envelope("Pod", b"") + bfield(9, "x"))


def test_unknown_field_in_a_special_type_is_refused() -> None:
    with pytest.raises(ProtobufError, match="unknown field 2 in resource.Quantity"):
        spec_with(bfield(32, bfield(1, "cpu") + bfield(2, bfield(1, "1") + bfield(2, "x"))))


def test_wrong_wire_type_is_refused() -> None:
    with pytest.raises(ProtobufError, match="expected a varint"):
        spec_with(bfield(11, "true"))  # hostNetwork sent as a string
    with pytest.raises(ProtobufError, match="wire type 5"):
        spec_with(f32field(1, 1))


def test_fixed_width_scalars_are_read() -> None:
    # A 32-bit field of a type that expects bytes is still a wire-level read first.
    with pytest.raises(ProtobufError, match="expected a length-delimited"):
        one_container(f32field(2, 7))


# --- pointer vs value fields: what JSON keeps ---------------------------------


def test_value_bools_and_strings_at_zero_are_omitted() -> None:
    # gogo writes non-pointer fields even at their zero value; omitempty drops them.
    got = one_container(bfield(2, ""), vfield(16, False), vfield(17, False), vfield(18, False))
    assert got == {"name": "c", "resources": {}}
    spec = spec_with(vfield(11, False), vfield(12, False), bfield(16, ""), bfield(9, ""))
    assert spec == {}


def test_pointer_bools_and_ints_at_zero_are_kept() -> None:
    spec = spec_with(
        vfield(27, False),  # shareProcessNamespace
        vfield(21, False),  # automountServiceAccountToken
        vfield(30, False),  # enableServiceLinks
        vfield(35, False),  # setHostnameAsFQDN
        vfield(37, False),  # hostUsers
        vfield(4, 0),  # terminationGracePeriodSeconds
        vfield(25, 0),  # priority
    )
    assert spec == {
        "shareProcessNamespace": False,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "setHostnameAsFQDN": False,
        "hostUsers": False,
        "terminationGracePeriodSeconds": 0,
        "priority": 0,
    }
    security = one_container(bfield(15, vfield(2, False) + vfield(5, False) + vfield(4, 0)))
    assert security["securityContext"] == {"privileged": False, "runAsNonRoot": False, "runAsUser": 0}


def test_value_fields_without_omitempty_are_kept_and_defaulted() -> None:
    port = one_container(bfield(6, vfield(3, 0)))["ports"][0]
    assert port == {"containerPort": 0}
    status = pod(status=bfield(8, bfield(1, "ctr")))["status"]
    # ContainerStatus ready/restartCount/image/imageID have no omitempty in Go.
    assert status["containerStatuses"] == [
        {
            "name": "ctr",
            "state": {},
            "lastState": {},
            "ready": False,
            "restartCount": 0,
            "image": "",
            "imageID": "",
        }
    ]


def test_negative_integers_are_twos_complement() -> None:
    got = one_container(bfield(15, vfield(4, -1) + vfield(8, -2)))
    assert got["securityContext"] == {"runAsUser": -1, "runAsGroup": -2}
    assert spec_with(vfield(25, -10))["priority"] == -10


# --- special types -------------------------------------------------------------


def test_quantities_are_strings() -> None:
    limits = bfield(1, bfield(1, "cpu") + bfield(2, bfield(1, "500m")))
    requests = bfield(2, bfield(1, "memory") + bfield(2, bfield(1, "1Gi")))
    got = one_container(bfield(8, limits + requests))
    assert got["resources"] == {"limits": {"cpu": "500m"}, "requests": {"memory": "1Gi"}}


def test_a_value_quantity_that_is_absent_marshals_as_zero() -> None:
    # ResourceFieldSelector.divisor is a Go value Quantity: JSON always has it.
    env = bfield(7, bfield(1, "X") + bfield(3, bfield(2, bfield(2, "limits.cpu"))))
    got = one_container(env)["env"][0]
    assert got == {"name": "X", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "0"}}}


def test_int_or_string_becomes_int_or_string() -> None:
    http = bfield(1, "/healthz") + bfield(2, vfield(1, 0) + vfield(2, 8080))
    tcp = bfield(1, vfield(1, 1) + bfield(3, "http"))
    got = one_container(bfield(10, bfield(1, bfield(2, http))), bfield(11, bfield(1, bfield(3, tcp))))
    assert got["livenessProbe"] == {"httpGet": {"path": "/healthz", "port": 8080}}
    assert got["readinessProbe"] == {"tcpSocket": {"port": "http"}}


def test_time_and_micro_time() -> None:
    seconds = 1704164645  # 2024-01-02T03:04:05Z
    meta = bfield(8, vfield(1, seconds) + vfield(2, 987654321))
    meta += bfield(9, vfield(1, 0) + vfield(2, 0))  # the epoch, present
    got = pod(meta=meta)["metadata"]
    assert got == {
        "creationTimestamp": "2024-01-02T03:04:05Z",
        "deletionTimestamp": "1970-01-01T00:00:00Z",
    }
    from kdebug_nb.sandbox.protobuf.convert import format_time

    assert format_time(seconds, 987654321, micro=True) == "2024-01-02T03:04:05.987654Z"


def test_zero_time_is_left_out() -> None:
    # metav1.Time marshals its zero value as an empty message; JSON says null.
    assert pod(meta=bfield(8, b""))["metadata"] == {}


def test_fields_v1_is_embedded_json() -> None:
    entry = bfield(1, "kubectl") + bfield(2, "Update") + bfield(6, "FieldsV1")
    entry += bfield(7, bfield(1, b'{"f:metadata":{"f:labels":{}}}'))
    got = pod(meta=bfield(17, entry))["metadata"]["managedFields"]
    assert got == [
        {
            "manager": "kubectl",
            "operation": "Update",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {}}},
        }
    ]


def test_fields_v1_that_is_not_json_is_refused() -> None:
    with pytest.raises(ProtobufError, match="not JSON"):
        pod(meta=bfield(17, bfield(7, bfield(1, b"\x00\x01"))))


# --- collections and inlined structs ------------------------------------------


def test_maps_and_repeated_fields() -> None:
    meta = bfield(11, bfield(1, "app") + bfield(2, "web")) + bfield(11, bfield(1, "tier"))
    meta += bfield(14, "a") + bfield(14, "b")
    got = pod(meta=meta)["metadata"]
    assert got == {"labels": {"app": "web", "tier": ""}, "finalizers": ["a", "b"]}


def test_repeated_ints_packed_or_not() -> None:
    packed = bfield(4, b"".join(vfield(0, v)[1:] for v in (1, 2, 300)))
    unpacked = vfield(4, 1) + vfield(4, 2) + vfield(4, 300)
    for groups in (packed, unpacked):
        sc = spec_with(bfield(14, groups))["securityContext"]
        assert sc == {"supplementalGroups": [1, 2, 300]}


def test_inline_structs_merge_into_the_parent() -> None:
    volume = bfield(1, "v") + bfield(2, bfield(2, b""))  # Volume{name, VolumeSource{emptyDir}}
    assert spec_with(bfield(1, volume))["volumes"] == [{"name": "v", "emptyDir": {}}]
    common = bfield(1, "dbg") + bfield(2, "busybox") + vfield(16, True)
    ephemeral = bfield(1, common) + bfield(2, "app")
    assert spec_with(bfield(34, ephemeral))["ephemeralContainers"] == [
        {"name": "dbg", "image": "busybox", "resources": {}, "stdin": True, "targetContainerName": "app"}
    ]
    ref = bfield(1, bfield(1, "cm")) + bfield(2, "key") + vfield(3, False)
    env = one_container(bfield(7, bfield(1, "E") + bfield(3, bfield(3, ref))))["env"][0]
    assert env["valueFrom"] == {"configMapKeyRef": {"name": "cm", "key": "key", "optional": False}}


def test_windows_options_and_lifecycle_sleep() -> None:
    windows = bfield(1, "spec") + bfield(2, "cred") + bfield(3, "user") + vfield(4, False)
    lifecycle = bfield(2, bfield(4, vfield(1, 5)))  # preStop.sleep.seconds
    got = one_container(bfield(15, bfield(10, windows)), bfield(12, lifecycle))
    assert got["securityContext"]["windowsOptions"] == {
        "gmsaCredentialSpecName": "spec",
        "gmsaCredentialSpec": "cred",
        "runAsUserName": "user",
        "hostProcess": False,
    }
    assert got["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}


def test_a_repeated_singular_message_is_merged_like_go() -> None:
    first = bfield(15, vfield(2, True))  # securityContext{privileged}
    second = bfield(15, vfield(4, 7))  # securityContext{runAsUser}
    assert one_container(first, second)["securityContext"] == {"privileged": True, "runAsUser": 7}


def test_a_repeated_scalar_takes_the_last_value() -> None:
    assert one_container(bfield(2, "a"), bfield(2, "b"))["image"] == "b"


def test_early_years_are_zero_padded() -> None:
    from kdebug_nb.sandbox.protobuf.convert import format_time

    assert format_time(-62135596800, 0, micro=False) == "0001-01-01T00:00:00Z"
    with pytest.raises(ProtobufError, match="out of range"):
        format_time(-10**12, 0, micro=False)


def test_corrupted_bodies_raise_only_protobuf_errors() -> None:
    # Anything else would surface as a 500 instead of a 415.
    import random
    from pathlib import Path

    base = (Path(__file__).parent / "data/protobuf/kubectl-1.35-copy-keep-all.pb").read_bytes()
    rng = random.Random(1441)
    decoded = 0
    for _ in range(500):
        body = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(MAGIC), len(body))
            choice = rng.random()
            if choice < 0.5:
                body[pos] = rng.randrange(256)
            elif choice < 0.75:
                del body[pos]
            else:
                body.insert(pos, rng.randrange(256))
        try:
            decode_object(bytes(body))
            decoded += 1
        except ProtobufError:
            pass
    assert decoded < 500  # most corruptions are caught, none crash
