"""Pod Security admission (``pod-security.kubernetes.io/enforce`` on namespaces).

A port of the checks of k8s.io/pod-security-admission that a debugging
session can trip, with its wording and ordering: baseline checks sorted by
ID, then restricted ones (restricted overrides baseline capabilities,
hostPath volumes and seccomp). Every container counts: init, app and
ephemeral, with pod-level securityContext where the real checks use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kdebug_nb.sandbox.store.cluster import Cluster, Obj
from kdebug_nb.sandbox.store.status import StatusError

ENFORCE = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version"
WARN = "pod-security.kubernetes.io/warn"
WARN_VERSION = "pod-security.kubernetes.io/warn-version"
LEVELS = ("privileged", "baseline", "restricted")

BASELINE_CAPS = frozenset(
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }
)
RESTRICTED_VOLUME_TYPES = frozenset(
    {
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
        "projected", "secret",
    }
)

Result = tuple[str, str] | None  # (reason, detail) when forbidden
Check = Callable[[Obj], Result]  # over the pod spec (check_app_armor: the whole pod)


def _containers(spec: Obj) -> Iterator[Obj]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(key) or []


def _sc(c: Obj) -> Obj:
    return c.get("securityContext") or {}


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _quote_all(values: list[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def _containers_phrase(names: list[str]) -> str:
    return f"{_plural(len(names), 'container', 'containers')} {_quote_all(names)}"


# -- baseline --------------------------------------------------------------


def check_capabilities_baseline(spec: Obj) -> Result:
    bad, caps = [], set()
    for c in _containers(spec):
        added = [a for a in (_sc(c).get("capabilities") or {}).get("add") or [] if a not in BASELINE_CAPS]
        if added:
            bad.append(c.get("name", ""))
            caps.update(added)
    if not bad:
        return None
    return "non-default capabilities", (
        f"{_containers_phrase(bad)} must not include {_quote_all(sorted(caps))} in "
        "securityContext.capabilities.add"
    )


def check_host_namespaces(spec: Obj) -> Result:
    bad = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k)]
    return ("host namespaces", ", ".join(bad)) if bad else None


def check_host_path_volumes(spec: Obj) -> Result:
    bad = [v.get("name", "") for v in spec.get("volumes") or [] if "hostPath" in v]
    if not bad:
        return None
    return "hostPath volumes", f"{_plural(len(bad), 'volume', 'volumes')} {_quote_all(bad)}"


def check_host_ports(spec: Obj) -> Result:
    bad: list[str] = []
    ports: set[str] = set()
    for c in _containers(spec):
        found = {str(p["hostPort"]) for p in c.get("ports") or [] if p.get("hostPort")}
        if found:
            bad.append(c.get("name", ""))
            ports |= found
    if not bad:
        return None
    return "hostPort", (
        f"{_containers_phrase(bad)} {_plural(len(bad), 'uses', 'use')} "
        f"{_plural(len(ports), 'hostPort', 'hostPorts')} {', '.join(sorted(ports))}"
    )


def check_app_armor(pod: Obj) -> Result:
    prefix = "container.apparmor.security.beta.kubernetes.io/"
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    bad = sorted(
        f'{k}="{v}"'
        for k, v in annotations.items()
        if k.startswith(prefix) and not (v == "runtime/default" or v.startswith("localhost/"))
    )
    if not bad:
        return None
    return _plural(len(bad), "forbidden AppArmor profile", "forbidden AppArmor profiles"), ", ".join(bad)


SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})


def check_se_linux(spec: Obj) -> Result:
    setters: list[str] = []
    bad_types: set[str] = set()
    flags = {"user": False, "role": False}

    def valid(opts: Obj) -> bool:
        ok = True
        if opts.get("type", "") not in SELINUX_TYPES:
            ok = False
            bad_types.add(opts.get("type", ""))
        for key in ("user", "role"):
            if opts.get(key):
                ok = False
                flags[key] = True
        return ok

    pod_opts = (spec.get("securityContext") or {}).get("seLinuxOptions")
    if isinstance(pod_opts, dict) and not valid(pod_opts):
        setters.append("pod")
    bad = [
        c.get("name", "")
        for c in _containers(spec)
        if isinstance(_sc(c).get("seLinuxOptions"), dict) and not valid(_sc(c)["seLinuxOptions"])
    ]
    if bad:
        setters.append(_containers_phrase(bad))
    if not setters:
        return None
    data = []
    if bad_types:
        data.append(f"{_plural(len(bad_types), 'type', 'types')} {_quote_all(sorted(bad_types))}")
    data.extend(f"{key} may not be set" for key, was_set in flags.items() if was_set)
    return "seLinuxOptions", (
        f"{' and '.join(setters)} set forbidden securityContext.seLinuxOptions: {'; '.join(data)}"
    )


SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
    }
)


def check_sysctls(spec: Obj) -> Result:
    sysctls = (spec.get("securityContext") or {}).get("sysctls") or []
    bad = [s.get("name", "") for s in sysctls if s.get("name") not in SAFE_SYSCTLS]
    return ("forbidden sysctls", ", ".join(bad)) if bad else None


def check_privileged(spec: Obj) -> Result:
    bad = [c.get("name", "") for c in _containers(spec) if _sc(c).get("privileged")]
    if not bad:
        return None
    return "privileged", f"{_containers_phrase(bad)} must not set securityContext.privileged=true"


def _user_namespaced(spec: Obj) -> bool:
    """``hostUsers: false`` relaxes the procMount and run-as-root checks."""
    return spec.get("hostUsers") is False


def check_proc_mount(spec: Obj) -> Result:
    if _user_namespaced(spec):
        return None
    bad, types = [], set()
    for c in _containers(spec):
        mount = _sc(c).get("procMount")
        if mount not in (None, "Default"):
            bad.append(c.get("name", ""))
            types.add(str(mount))
    if not bad:
        return None
    return "procMount", (
        f"{_containers_phrase(bad)} must not set securityContext.procMount to {_quote_all(sorted(types))}"
    )


def check_seccomp_baseline(spec: Obj) -> Result:
    setters: list[str] = []
    values: set[str] = set()
    pod_type = ((spec.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
    if pod_type is not None and pod_type not in ("RuntimeDefault", "Localhost"):
        setters.append("pod")
        values.add(str(pod_type))
    bad = []
    for c in _containers(spec):
        ctype = (_sc(c).get("seccompProfile") or {}).get("type")
        if ctype is not None and ctype not in ("RuntimeDefault", "Localhost"):
            bad.append(c.get("name", ""))
            values.add(str(ctype))
    if bad:
        setters.append(_containers_phrase(bad))
    if not setters:
        return None
    return "seccompProfile", (
        f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
        f"{_quote_all(sorted(values))}"
    )


# -- restricted ------------------------------------------------------------


def check_allow_privilege_escalation(spec: Obj) -> Result:
    bad = [c.get("name", "") for c in _containers(spec) if _sc(c).get("allowPrivilegeEscalation") is not False]
    if not bad:
        return None
    return "allowPrivilegeEscalation != false", (
        f"{_containers_phrase(bad)} must set securityContext.allowPrivilegeEscalation=false"
    )


def check_capabilities_restricted(spec: Obj) -> Result:
    missing_drop, adding, caps = [], [], set()
    for c in _containers(spec):
        capabilities = _sc(c).get("capabilities")
        if capabilities is None:
            missing_drop.append(c.get("name", ""))
            continue
        if "ALL" not in (capabilities.get("drop") or []):
            missing_drop.append(c.get("name", ""))
        added = [a for a in capabilities.get("add") or [] if a != "NET_BIND_SERVICE"]
        if added:
            adding.append(c.get("name", ""))
            caps.update(added)
    details = []
    if missing_drop:
        details.append(f'{_containers_phrase(missing_drop)} must set securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(
            f"{_containers_phrase(adding)} must not include {_quote_all(sorted(caps))} in "
            "securityContext.capabilities.add"
        )
    return ("unrestricted capabilities", "; ".join(details)) if details else None


def check_restricted_volumes(spec: Obj) -> Result:
    bad: list[str] = []
    kinds: list[str] = []
    for v in spec.get("volumes") or []:
        types = [k for k in v if k != "name"]
        wrong = [t for t in types if t not in RESTRICTED_VOLUME_TYPES]
        if wrong:
            bad.append(v.get("name", ""))
            kinds.extend(t for t in wrong if t not in kinds)
    if not bad:
        return None
    return "restricted volume types", (
        f"{_plural(len(bad), 'volume', 'volumes')} {_quote_all(bad)} "
        f"{_plural(len(bad), 'uses', 'use')} restricted volume "
        f"{_plural(len(kinds), 'type', 'types')} {_quote_all(sorted(kinds))}"
    )


def check_run_as_non_root(spec: Obj) -> Result:
    if _user_namespaced(spec):
        return None
    pod_sc = spec.get("securityContext") or {}
    setters, pod_ok = [], False
    if "runAsNonRoot" in pod_sc and pod_sc["runAsNonRoot"] is not None:
        if pod_sc["runAsNonRoot"]:
            pod_ok = True
        else:
            setters.append("pod")
    explicit, implicit = [], []
    for c in _containers(spec):
        value = _sc(c).get("runAsNonRoot")
        if value is not None:
            if not value:
                explicit.append(c.get("name", ""))
        elif not pod_ok:
            implicit.append(c.get("name", ""))
    if explicit:
        setters.append(_containers_phrase(explicit))
    if setters:
        return "runAsNonRoot != true", f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false"
    if implicit:
        return "runAsNonRoot != true", (
            f"pod or {_containers_phrase(implicit)} must set securityContext.runAsNonRoot=true"
        )
    return None


def check_run_as_user(spec: Obj) -> Result:
    if _user_namespaced(spec):
        return None
    setters = []
    if (spec.get("securityContext") or {}).get("runAsUser") == 0:
        setters.append("pod")
    bad = [c.get("name", "") for c in _containers(spec) if _sc(c).get("runAsUser") == 0]
    if bad:
        setters.append(_containers_phrase(bad))
    if not setters:
        return None
    return "runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0"


def check_seccomp_restricted(spec: Obj) -> Result:
    pod_type = ((spec.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
    setters, pod_ok = [], False
    if pod_type is not None:
        if pod_type in ("RuntimeDefault", "Localhost"):
            pod_ok = True
        else:
            setters.append(f'pod must not set securityContext.seccompProfile.type to "{pod_type}"')
    explicit, bad_types, implicit = [], [], []
    for c in _containers(spec):
        ctype = (_sc(c).get("seccompProfile") or {}).get("type")
        if ctype is not None:
            if ctype not in ("RuntimeDefault", "Localhost"):
                explicit.append(c.get("name", ""))
                if ctype not in bad_types:
                    bad_types.append(ctype)
        elif not pod_ok:
            implicit.append(c.get("name", ""))
    if explicit:
        setters.append(
            f"{_containers_phrase(explicit)} must not set securityContext.seccompProfile.type to "
            f"{_quote_all(bad_types)}"
        )
    if implicit:
        setters.append(
            f"pod or {_containers_phrase(implicit)} must set securityContext.seccompProfile.type "
            'to "RuntimeDefault" or "Localhost"'
        )
    return ("seccompProfile", "; ".join(setters)) if setters else None


#: (check ID, check, restricted only, overridden at restricted by)
BASELINE: list[tuple[str, Check]] = [
    ("appArmorProfile", check_app_armor),
    ("capabilities_baseline", check_capabilities_baseline),
    ("hostNamespaces", check_host_namespaces),
    ("hostPathVolumes", check_host_path_volumes),
    ("hostPorts", check_host_ports),
    ("privileged", check_privileged),
    ("procMount", check_proc_mount),
    ("seLinuxOptions", check_se_linux),
    ("seccompProfile_baseline", check_seccomp_baseline),
    ("sysctls", check_sysctls),
]
RESTRICTED: list[tuple[str, Check]] = [
    ("allowPrivilegeEscalation", check_allow_privilege_escalation),
    ("capabilities_restricted", check_capabilities_restricted),
    ("restrictedVolumes", check_restricted_volumes),
    ("runAsNonRoot", check_run_as_non_root),
    ("runAsUser", check_run_as_user),
    ("seccompProfile_restricted", check_seccomp_restricted),
]
OVERRIDDEN_AT_RESTRICTED = frozenset({"capabilities_baseline", "hostPathVolumes", "seccompProfile_baseline"})


def evaluate(level: str, pod: Obj) -> list[str]:
    """Forbidden reasons for ``pod``, formatted ``reason (detail)``, in the real order."""
    spec = pod.get("spec") or {}
    if level == "baseline":
        checks = BASELINE
    elif level == "restricted":
        checks = [c for c in BASELINE if c[0] not in OVERRIDDEN_AT_RESTRICTED] + RESTRICTED
    else:
        return []
    out = []
    for _, check in checks:
        res = check(pod) if check is check_app_armor else check(spec)
        if res is not None:
            reason, detail = res
            out.append(f"{reason} ({detail})" if detail else reason)
    return out


def _namespace_labels(cluster: Cluster, namespace: str) -> dict[str, str]:
    ns = cluster.get("Namespace", "", namespace)
    labels: dict[str, str] = (ns or {}).get("metadata", {}).get("labels") or {}
    return labels


def pod_security_warnings(cluster: Cluster, namespace: str, pod: Obj) -> list[str]:
    """What the ``warn`` label makes admission say (kubectl prints ``Warning: ...``)."""
    labels = _namespace_labels(cluster, namespace)
    level = labels.get(WARN)
    if level not in ("baseline", "restricted"):
        return []
    reasons = evaluate(level, pod)
    if not reasons:
        return []
    version = labels.get(WARN_VERSION) or "latest"
    return [f'would violate PodSecurity "{level}:{version}": ' + ", ".join(reasons)]


def warning_header(messages: list[str]) -> list[tuple[str, str]]:
    """RFC 7234 ``Warning: 299 - "..."`` headers, as the API server sends them."""
    out = []
    for message in messages:
        escaped = message.replace("\\", "\\\\").replace('"', '\\"')
        out.append(("Warning", f'299 - "{escaped}"'))
    return out


def enforce_pod_security(cluster: Cluster, namespace: str, pod: Obj, name: str) -> None:
    """Raise 403 like PodSecurity admission when the namespace's level forbids ``pod``."""
    labels = _namespace_labels(cluster, namespace)
    level = labels.get(ENFORCE)
    if level not in ("baseline", "restricted"):
        return
    reasons = evaluate(level, pod)
    if not reasons:
        return
    version = labels.get(ENFORCE_VERSION) or "latest"
    why = f'violates PodSecurity "{level}:{version}": ' + ", ".join(reasons)
    message = f'pods "{name}" is forbidden: {why}' if name else f"pods is forbidden: {why}"
    raise StatusError(403, message, details={"name": name, "kind": "pods"})
