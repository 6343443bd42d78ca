"""environment.yml (conda) and pyproject.toml (pip) must list the same packages with the same bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _normalise(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*?)\s*", spec)
    assert match, f"cannot read requirement {spec!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return name, match.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    specs.append("python" + project["requires-python"])
    return dict(_normalise(s) for s in specs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and d != "pip"]
    pip_section = next((d["pip"] for d in env["dependencies"] if isinstance(d, dict)), [])
    from_pip = [s for s in pip_section if not s.startswith("-")]
    return dict(_normalise(s.split("#")[0]) for s in conda + from_pip)


def test_environment_lists_the_same_packages_and_bounds_as_pyproject():
    pip, conda = _pyproject(), _environment()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml but not in environment.yml"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml but not in pyproject.toml"
    differing = {name: (pip[name], conda[name]) for name in pip if pip[name] != conda[name]}
    assert differing == {}, "bounds differ (pyproject, environment.yml)"


def test_every_dependency_has_a_lower_bound():
    unbounded = [name for name, spec in _pyproject().items() if ">=" not in spec]
    assert unbounded == []


def test_normalise_reads_extras_and_spacing():
    assert _normalise("dask[distributed] >= 2024.8") == ("dask", ">=2024.8")
    assert _normalise("vl_convert.Python>=1.6") == ("vl-convert-python", ">=1.6")


def test_the_pip_section_of_environment_yml_is_a_valid_requirements_file(tmp_path):
    """conda hands the pip section to pip as a requirements file; pip's own parser must accept it
    (pip rejects install options such as --no-deps there, which would fail `conda env create`)."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(line.split(" #")[0] for line in pip_section) + "\n")
    parsed = list(parse_requirements(str(requirements), session=PipSession()))
    assert [(r.requirement, r.is_editable) for r in parsed] == [("highspy-extras>=1.12", False), (".", True)]
