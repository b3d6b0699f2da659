"""The applicant's fields and material files as the portal form and the API send them."""

from __future__ import annotations

APPLICANT_FIELDS = ("kind", "name", "id_number", "uscc", "legal_representative", "address", "phone")
MATERIAL_PREFIX = "material_"


def applicant_from(data) -> dict:
    """applicant_kind, applicant_name… (flat, as a multipart form sends them)."""
    return {f: str(data.get(f"applicant_{f}", "") or "").strip()[:200] for f in APPLICANT_FIELDS}


def files_from(files) -> dict:
    """material_<key> → the uploaded file (the guide's material keys)."""
    return {name[len(MATERIAL_PREFIX):]: files[name] for name in files if name.startswith(MATERIAL_PREFIX)}
