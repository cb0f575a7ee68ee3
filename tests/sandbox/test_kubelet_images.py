"""The image catalogue resolves references the way a registry does (pure, no server)."""

from __future__ import annotations

import pytest

from kdebug_nb.sandbox.kubelet.images import (
    ImageCatalogue,
    ImageNotFound,
    InvalidImageName,
    parse_reference,
)


@pytest.fixture(scope="module")
def catalogue() -> ImageCatalogue:
    return ImageCatalogue.default()


@pytest.mark.parametrize(
    "ref",
    [
        "busybox",
        "busybox:latest",
        "library/busybox",
        "library/busybox:latest",
        "docker.io/library/busybox",
        "docker.io/library/busybox:latest",
        "index.docker.io/library/busybox:latest",
    ],
)
def test_spellings_of_one_image(catalogue: ImageCatalogue, ref: str) -> None:
    image = catalogue.resolve(ref)
    assert image.name == "docker.io/library/busybox"
    assert image.ref == "docker.io/library/busybox:latest"


def test_tags_and_digests(catalogue: ImageCatalogue) -> None:
    busybox = catalogue.resolve("busybox")
    assert catalogue.resolve("busybox:1.36") is busybox
    assert busybox.digest.startswith("sha256:") and len(busybox.digest) == 71
    assert catalogue.resolve(f"busybox@{busybox.digest}") is busybox
    assert catalogue.resolve(f"docker.io/library/busybox:1.36@{busybox.digest}") is busybox
    assert busybox.image_id == f"docker.io/library/busybox@{busybox.digest}"
    # digests are stable across catalogues
    assert ImageCatalogue.default().resolve("busybox").digest == busybox.digest
    with pytest.raises(ImageNotFound):
        catalogue.resolve("busybox@sha256:" + "0" * 64)
    with pytest.raises(ImageNotFound):
        catalogue.resolve("busybox:0.0.0-nope")


def test_unknown_image_message(catalogue: ImageCatalogue) -> None:
    with pytest.raises(ImageNotFound) as err:
        catalogue.resolve("nope")
    assert str(err.value) == (
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nope:latest": '
        'failed to resolve reference "docker.io/library/nope:latest": docker.io/library/nope:latest: not found'
    )
    assert err.value.reason == "ErrImagePull"


@pytest.mark.parametrize("ref", ["Bad:", "busybox:", ":tag", "a b", "busybox@sha256:xyz", ""])
def test_malformed_references(catalogue: ImageCatalogue, ref: str) -> None:
    with pytest.raises(InvalidImageName) as err:
        catalogue.resolve(ref)
    assert err.value.reason == "InvalidImageName"
    assert str(err.value).startswith(f'Failed to apply default image tag "{ref}": couldn\'t parse image name "{ref}": invalid reference format')


def test_uppercase_repository_is_reported() -> None:
    with pytest.raises(InvalidImageName) as err:
        parse_reference("Busybox")
    assert "repository name (library/Busybox) must be lowercase" in str(err.value)


def test_registry_hosts_and_ports() -> None:
    assert str(parse_reference("localhost:5000/app")) == "localhost:5000/app:latest"
    assert str(parse_reference("gcr.io/distroless/static")) == "gcr.io/distroless/static:latest"
    assert str(parse_reference("nicolaka/netshoot:v0.13")) == "docker.io/nicolaka/netshoot:v0.13"


def test_docker_command_rules(catalogue: ImageCatalogue) -> None:
    nginx = catalogue.resolve("nginx")
    assert nginx.argv(None, None) == ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]
    # args alone replace CMD, command replaces ENTRYPOINT and drops CMD
    assert nginx.argv(None, ["nginx", "-v"]) == ["/docker-entrypoint.sh", "nginx", "-v"]
    assert nginx.argv(["sh"], None) == ["sh"]
    assert nginx.argv(["sh"], ["-c", "x"]) == ["sh", "-c", "x"]


def test_what_images_contain(catalogue: ImageCatalogue) -> None:
    busybox = catalogue.resolve("busybox")
    for tool in ("sh", "ls", "ps", "cat", "echo", "sleep", "env", "id", "wget", "nslookup", "top"):
        assert busybox.has(tool), tool
    neato = catalogue.resolve("example.com/neato:1.0")
    assert neato.has("neato") and not neato.has("sh") and not neato.has("echo")
    assert not catalogue.resolve("gcr.io/distroless/static").has("sh")
    assert catalogue.resolve("debian").has("bash")
    assert catalogue.resolve("registry.k8s.io/pause:3.10").entrypoint == ("/pause",)


def test_from_spec_extends_a_base(catalogue: ImageCatalogue) -> None:
    cat = ImageCatalogue.from_spec(
        [
            {
                "ref": "example.com/tools:2.0",
                "tags": ["stable"],
                "cmd": ["sh"],
                "env": {"MODE": "debug"},
                "binaries": ["@busybox", "extra-tool"],
            },
            {"ref": "busybox:latest", "cmd": ["echo", "shadowed"], "binaries": ["echo"]},
        ],
        base=catalogue,
    )
    tools = cat.resolve("example.com/tools:stable")
    assert tools is cat.resolve("example.com/tools:2.0")
    assert tools.has("sh") and tools.has("extra-tool")
    assert ("MODE", "debug") in tools.env and dict(tools.env)["PATH"]
    assert cat.resolve("busybox").cmd == ("echo", "shadowed")
    assert cat.resolve("busybox:1.36").cmd == ("sh",)  # other tags still the base's
    assert cat.resolve("alpine").name == "docker.io/library/alpine"
    with pytest.raises(ImageNotFound):
        ImageCatalogue.from_spec([{"ref": "x/y:1"}]).resolve("busybox")
