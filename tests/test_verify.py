"""negr2 verify's checks on made-up bundles (a real bundle: tests/test_publish.py): the
manifest in sha256sum's format, numbers compared key by key, provenance aside."""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile

import pytest

from negr2.bundle import manifest
from negr2.errors import InputError
from negr2.unbundle import opened_bundle, parse_numbers, provenance
from negr2.verify import check_manifest, compare_numbers


def test_the_manifest_names_changed_missing_and_unlisted_files(tmp_path):
    for name, text in {"a.txt": "a", "studies/s/b.csv": "b,c\n1,2\n", "c.tex": "c"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "MANIFEST.sha256").write_text(manifest(tmp_path))
    # sha256sum's format: "<digest>  <path>", sorted (tests/test_publish.py runs sha256sum -c).
    assert (tmp_path / "MANIFEST.sha256").read_text().splitlines() == [
        f"{hashlib.sha256(text.encode()).hexdigest()}  {name}"
        for name, text in [("a.txt", "a"), ("c.tex", "c"), ("studies/s/b.csv", "b,c\n1,2\n")]
    ]
    assert check_manifest(tmp_path) == ([], 3)

    (tmp_path / "studies" / "s" / "b.csv").write_text("b,c\n1,3\n")
    (tmp_path / "c.tex").unlink()
    (tmp_path / "new.txt").write_text("n")
    problems, listed = check_manifest(tmp_path)
    assert listed == 3
    assert problems == [
        "c.tex: listed in MANIFEST.sha256 but missing",
        "studies/s/b.csv: its SHA-256 is not the one MANIFEST.sha256 records",
        "new.txt: not in MANIFEST.sha256",
    ]


NUMBERS = r"""\makeatletter
\expandafter\gdef\csname negrtwo@s@MeanRsq@noise@Ridge\endcsname{\ensuremath{-0.108}}
\expandafter\gdef\csname negrtwo@s@ClaimVerdict@a-b\endcsname{not shown equivalent}
\expandafter\gdef\csname negrtwo@s@NegrInfo@commit\endcsname{abc123+dirty}
\expandafter\gdef\csname negrtwo@s@NegrInfo@version-scikit-learn\endcsname{1.9.1}
\expandafter\gdef\csname negrtwo@s@NegrInfo@config:models.A.params.alpha\endcsname{1.0}
\makeatother
"""


def test_numbers_are_compared_key_by_key_and_provenance_is_taken_as_recorded():
    bundled = parse_numbers(NUMBERS)
    assert bundled["MeanRsq@noise@Ridge"] == r"\ensuremath{-0.108}"
    assert bundled["ClaimVerdict@a-b"] == "not shown equivalent"
    assert provenance(bundled) == ("abc123+dirty", {"scikit-learn": "1.9.1"})
    recomputed = {
        **bundled,
        "MeanRsq@noise@Ridge": "0.250",
        "NegrInfo@commit": "another",  # provenance: not a result, not compared
        "NegPct@noise@Ridge": "12.0",  # only in the recomputed file
    }
    del recomputed["ClaimVerdict@a-b"]
    assert compare_numbers("x/numbers.tex", bundled, recomputed) == [
        "x/numbers.tex: ClaimVerdict@a-b is not shown equivalent in the bundle; the trials "
        "give (absent)",
        r"x/numbers.tex: MeanRsq@noise@Ridge is \ensuremath{-0.108} in the bundle; the trials "
        "give 0.250",
        "x/numbers.tex: NegPct@noise@Ridge is (absent) in the bundle; the trials give 12.0",
    ]


def _tar_with(path, members: dict[str, bytes], link: str | None = None) -> None:
    """A .tar.gz holding ``members`` (name: bytes) and, if given, a symlink named ``link``."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)


@pytest.fixture(params=["filter", "no-filter"])
def python_tarfile(request, monkeypatch):
    """Python 3.11.4+'s tarfile, and 3.11.2's (Debian 12), which has no extraction filter."""
    has_filter = hasattr(tarfile, "data_filter")
    if request.param == "filter" and not has_filter:
        pytest.skip(f"Python {sys.version.split()[0]} has no extraction filter (3.11.4 added it)")
    if request.param == "no-filter" and has_filter:
        original = tarfile.TarFile.extractall

        def extractall_of_3_11_2(self, path=".", members=None, *, numeric_owner=False):
            return original(self, path, members, numeric_owner=numeric_owner,
                            filter="fully_trusted")  # fmt: skip

        monkeypatch.delattr(tarfile, "data_filter")
        monkeypatch.setattr(tarfile.TarFile, "extractall", extractall_of_3_11_2)
    return request.param


def test_a_bundle_unpacks_on_any_python_311(tmp_path, python_tarfile):
    bundle = tmp_path / "ms-bundle.tar.gz"
    _tar_with(bundle, {"ms-bundle/studies/quick/summary.csv": b"a,b\n1,2\n"})
    with opened_bundle(bundle) as root:
        assert root.name == "ms-bundle"
        assert (root / "studies" / "quick" / "summary.csv").read_bytes() == b"a,b\n1,2\n"


@pytest.mark.parametrize(
    ("members", "link", "named"),
    [
        ({"ms-bundle/studies/x": b"", "../outside.txt": b"x"}, None, "outside.txt"),
        ({"ms-bundle/studies/x": b""}, "ms-bundle/studies/passwd", "passwd"),
    ],
    ids=["path-outside", "symlink"],
)
def test_a_bundle_that_would_write_outside_its_folder_is_refused(
    tmp_path, python_tarfile, members, link, named
):
    bundle = tmp_path / "evil.tar.gz"
    _tar_with(bundle, members, link)
    with pytest.raises(InputError, match=named), opened_bundle(bundle):
        pass
    assert not (tmp_path.parent / "outside.txt").exists()
