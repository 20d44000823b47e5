"""Documents attached to a claim (claim.attachments): each rule and refusal of the services, the claim page's card
(attach, download, remove; plain and HTMX), the API, scope (404) and permissions (403), and that nothing is left
half-written: no row without its file, no file without its row."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from PIL import Image

from claim import attachments
from claim.exceptions import ClaimError, ClaimStateError, PermissionDeniedError
from claim.models import Claim, ClaimAttachment, ClaimStatus
from claim.services import claim_delete
from openimis.accounts import roles
from openimis.common import uploads
from openimis.common.exceptions import NotFoundError
from tests.factories import UserFactory
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory

from .test_submission import VISIT

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, fmt)
    return buffer.getvalue()


def upload(data: bytes = PDF, name: str = "referral.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def _claim(country, facility, code: str, creator) -> Claim:
    family = make_family(country.village_a1 if facility == country.facility_a else country.village_b1)
    icd = DiagnosisFactory.create(code=f"X{code[-2:]}")
    return Claim.objects.create(
        code=code,
        facility=facility,
        insuree=family.head,
        date_from=VISIT,
        date_claimed=VISIT,
        icd=icd,
        created_by=creator,
    )


@pytest.fixture
def claim_a(country, claim_admin) -> Claim:
    """An Entered claim of facility A (the claim administrator's)."""
    return _claim(country, country.facility_a, "HFA-01", claim_admin)


@pytest.fixture
def claim_b(country, claim_admin) -> Claim:
    """A claim of facility B: outside the claim administrator's scope."""
    return _claim(country, country.facility_b, "HFB-02", claim_admin)


def _set_status(claim: Claim, status: int) -> Claim:
    Claim.objects.filter(pk=claim.pk).update(status=status)
    claim.refresh_from_db()
    return claim


def _refused(exc_info, field: str = "file") -> str:
    assert list(exc_info.value.fields) == [field]
    return exc_info.value.fields[field][0]


# --- the service: what is accepted ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "mime", "extension"),
    [
        (PDF, "referral.pdf", "application/pdf", ".pdf"),
        (_image("JPEG"), "photo.JPG", "image/jpeg", ".jpg"),
        (_image("PNG"), "lab.png", "image/png", ".png"),
        (_image("WEBP"), "scan.webp", "image/webp", ".webp"),
        (PDF, "no-extension", "application/pdf", ".pdf"),  # the name says nothing; the content does
    ],
)
def test_accepted_types_are_stored_as_sent(claim_admin, claim_a, media, data, name, mime, extension):
    attachment = attachments.attachment_add(
        user=claim_admin, claim=claim_a, file=upload(data, name, "application/octet-stream")
    )
    attachment.refresh_from_db()
    assert (attachment.mime_type, attachment.size, attachment.title) == (mime, len(data), name)
    assert attachment.uploaded_by == claim_admin and attachment.claim == claim_a
    assert attachment.file.name.startswith("claims/") and attachment.file.name.endswith(
        str(attachment.uuid) + extension
    )
    assert (media / attachment.file.name).read_bytes() == data  # as sent, not re-encoded


def test_the_title_given_is_kept_and_a_path_in_the_name_is_dropped(claim_admin, claim_a):
    titled = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(), title="  Referral letter ")
    assert titled.title == "Referral letter"
    unnamed = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(name="C:\\scans\\lab.pdf"))
    assert unnamed.title == "lab.pdf"
    with pytest.raises(ClaimError) as exc:
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(), title="x" * 101)
    assert _refused(exc, "title") == "A title is at most 100 characters."


def test_a_checked_claim_takes_documents_too(claim_admin, claim_a):
    """A medical officer reviewing a submitted claim may ask the facility for a document."""
    _set_status(claim_a, ClaimStatus.CHECKED)
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    attachments.attachment_delete(user=claim_admin, claim=claim_a, attachment=attachment)
    assert not ClaimAttachment.objects.exists()


# --- the service: refusals -----------------------------------------------------------------------------------


def test_a_file_too_large_is_refused_with_its_size(claim_admin, claim_a, settings, media):
    settings.CLAIM_ATTACHMENT_MAX_BYTES = 10 * uploads.MB
    big = PDF + b"\0" * (int(12.4 * uploads.MB) - len(PDF))  # 12.4 MB
    with pytest.raises(ClaimError) as exc:
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(big))
    assert exc.value.code == "attachment_too_large"
    assert _refused(exc) == "A file is at most 10 MB; this one is 12.4 MB."
    settings.CLAIM_ATTACHMENT_MAX_BYTES = len(PDF)  # exactly at the limit is accepted
    attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(PDF))
    assert ClaimAttachment.objects.count() == 1 and len(stored_files(media)) == 1


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (EXE, "invoice.pdf", "application/pdf"),  # a program renamed .pdf
        (b"<html><script>alert(1)</script></html>", "x.png", "image/png"),
        (b"GIF89a\x01\x00\x01\x00", "x.gif", "image/gif"),
        (b"PK\x03\x04 a zip or a docx", "report.docx", "application/pdf"),
    ],
)
def test_a_type_is_judged_by_content_not_by_name(claim_admin, claim_a, media, data, name, mime):
    with pytest.raises(ClaimError) as exc:
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(data, name, mime))
    assert exc.value.code == "attachment_type"
    assert _refused(exc) == "Accepted types: PDF, JPEG, PNG, WebP (judged by the content, whatever the file's name)."
    assert not ClaimAttachment.objects.exists() and stored_files(media) == []


def test_a_damaged_image_is_refused(claim_admin, claim_a):
    with pytest.raises(ClaimError) as exc:
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(b"\x89PNG\r\n\x1a\nnot an image"))
    assert exc.value.code == "attachment_unreadable" and "PNG" in _refused(exc)


def test_an_empty_file_is_refused(claim_admin, claim_a):
    with pytest.raises(ClaimError) as exc:
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(b""))
    assert exc.value.code == "attachment_empty" and _refused(exc) == "The file is empty."


def test_at_most_ten_per_claim(claim_admin, claim_a):
    for _ in range(attachments.MAX_ATTACHMENTS):
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    with pytest.raises(ClaimError) as exc:
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    assert _refused(exc) == "A claim has at most 10 attachments; remove one first."
    assert ClaimAttachment.objects.count() == 10


@pytest.mark.parametrize("status", [ClaimStatus.PROCESSED, ClaimStatus.VALUATED, ClaimStatus.REJECTED])
def test_a_decided_claim_keeps_its_documents(claim_admin, claim_a, media, status):
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    _set_status(claim_a, status)
    with pytest.raises(ClaimStateError) as exc:
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    assert exc.value.status_code == 409 and "only while the claim is Entered or Checked" in _refused(exc)
    with pytest.raises(ClaimStateError):
        attachments.attachment_delete(user=claim_admin, claim=claim_a, attachment=attachment)
    assert ClaimAttachment.objects.count() == 1 and len(stored_files(media)) == 1


def test_permission_and_scope_are_needed(country, claim_admin, medical_officer, claim_a, claim_b):
    with pytest.raises(PermissionDeniedError):  # reviewers see claims, they do not change them
        attachments.attachment_add(user=medical_officer, claim=claim_a, file=upload())
    with pytest.raises(PermissionDeniedError):
        attachments.attachment_add(user=claim_admin, claim=claim_b, file=upload())
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    with pytest.raises(PermissionDeniedError):
        attachments.attachment_delete(user=medical_officer, claim=claim_a, attachment=attachment)
    other = _claim(country, country.facility_a, "HFA-03", claim_admin)
    with pytest.raises(NotFoundError):  # an attachment of another claim
        attachments.attachment_delete(user=claim_admin, claim=other, attachment=attachment)
    assert ClaimAttachment.objects.count() == 1


# --- nothing half-written ------------------------------------------------------------------------------------


def test_the_file_is_removed_when_the_row_cannot_be_written(claim_admin, claim_a, media, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(ClaimAttachment, "save", broken_save)
    with pytest.raises(DatabaseError):
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    assert stored_files(media) == []
    assert not ClaimAttachment.objects.exists()


def test_removing_deletes_the_file_once_committed(claim_admin, claim_a, media, django_capture_on_commit_callbacks):
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    with django_capture_on_commit_callbacks(execute=True):
        attachments.attachment_delete(user=claim_admin, claim=claim_a, attachment=attachment)
    assert not ClaimAttachment.objects.exists() and stored_files(media) == []


def test_a_refused_removal_keeps_the_file(claim_admin, claim_a, media, django_capture_on_commit_callbacks):
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    _set_status(claim_a, ClaimStatus.VALUATED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ClaimStateError):
        attachments.attachment_delete(user=claim_admin, claim=claim_a, attachment=attachment)
    assert callbacks == [] and len(stored_files(media)) == 1


def test_deleting_a_claim_deletes_its_files(claim_admin, claim_a, media, django_capture_on_commit_callbacks):
    """A claim entered by mistake goes with its documents: health data is not left behind, unreferenced."""
    for _ in range(2):
        attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    assert len(stored_files(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        claim_delete(user=claim_admin, claim=claim_a)
    assert not ClaimAttachment.objects.exists() and stored_files(media) == []


# --- the claim page ------------------------------------------------------------------------------------------


def test_the_card_lists_the_documents_with_the_form(login, claim_admin, claim_a):
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(), title="Referral")
    page = login(claim_admin).get(reverse("claim:claim_detail", args=[claim_a.uuid])).content.decode()
    assert 'id="attachments"' in page and "Referral" in page and "PDF" in page and claim_admin.get_full_name() in page
    assert reverse("claim:claim_attachment_file", args=[claim_a.uuid, attachment.uuid]) in page
    assert reverse("claim:claim_attachment_delete", args=[claim_a.uuid, attachment.uuid]) in page
    assert 'id="attachment-form"' in page and 'enctype="multipart/form-data"' in page


def test_a_reviewer_sees_the_documents_without_the_form(login, claim_admin, medical_officer, claim_a):
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload(), title="Referral")
    page = login(medical_officer).get(reverse("claim:claim_detail", args=[claim_a.uuid])).content.decode()
    assert reverse("claim:claim_attachment_file", args=[claim_a.uuid, attachment.uuid]) in page
    assert 'id="attachment-form"' not in page
    assert reverse("claim:claim_attachment_delete", args=[claim_a.uuid, attachment.uuid]) not in page


def test_a_decided_claim_shows_no_form(login, claim_admin, claim_a):
    _set_status(claim_a, ClaimStatus.VALUATED)
    page = login(claim_admin).get(reverse("claim:claim_detail", args=[claim_a.uuid])).content.decode()
    assert 'id="attachments"' in page and 'id="attachment-form"' not in page


def test_attaching_on_the_page_redirects_to_the_claim(login, claim_admin, claim_a):
    url = reverse("claim:claim_attachment_add", args=[claim_a.uuid])
    response = login(claim_admin).post(url, {"file": upload(), "title": "Lab"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(reverse("claim:claim_detail", args=[claim_a.uuid]) + "#attachments")
    page = response.content.decode()
    assert "The document was attached." in page and "Lab" in page
    assert ClaimAttachment.objects.get().title == "Lab"


def test_a_refusal_on_the_page_is_shown(login, claim_admin, claim_a):
    url = reverse("claim:claim_attachment_add", args=[claim_a.uuid])
    response = login(claim_admin).post(url, {"file": upload(EXE, "invoice.pdf")}, follow=True)
    assert "Accepted types: PDF, JPEG, PNG, WebP" in response.content.decode()
    assert not ClaimAttachment.objects.exists()


def test_with_htmx_the_answer_is_the_card_with_the_error_on_the_input(login, claim_admin, claim_a):
    client = login(claim_admin)
    url = reverse("claim:claim_attachment_add", args=[claim_a.uuid])
    refused = client.post(url, {"file": upload(b"")}, headers={"HX-Request": "true"})
    card = refused.content.decode()
    assert refused.status_code == 200 and card.lstrip().startswith('<section class="card mb-3" id="attachments">')
    assert 'id="id_file_error"' in card and "The file is empty." in card
    done = client.post(url, {"file": upload()}, headers={"HX-Request": "true"}).content.decode()
    assert "The document was attached." in done and "referral.pdf" in done
    attachment = ClaimAttachment.objects.get()
    delete_url = reverse("claim:claim_attachment_delete", args=[claim_a.uuid, attachment.uuid])
    removed = client.post(delete_url, headers={"HX-Request": "true"}).content.decode()
    assert "The document was removed." in removed and 'id="no-attachments"' in removed


def test_removing_on_the_page(login, claim_admin, claim_a, media, django_capture_on_commit_callbacks):
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    url = reverse("claim:claim_attachment_delete", args=[claim_a.uuid, attachment.uuid])
    client = login(claim_admin)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and not ClaimAttachment.objects.exists() and stored_files(media) == []


def test_removing_from_a_decided_claim_on_the_page_is_refused(login, claim_admin, claim_a):
    attachment = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    _set_status(claim_a, ClaimStatus.PROCESSED)
    url = reverse("claim:claim_attachment_delete", args=[claim_a.uuid, attachment.uuid])
    response = login(claim_admin).post(url, follow=True)
    assert "Documents can be removed only while the claim is Entered or Checked" in response.content.decode()
    assert ClaimAttachment.objects.count() == 1


def test_the_download_is_an_attachment_with_the_stored_type(login, claim_admin, medical_officer, claim_a):
    attachment = attachments.attachment_add(
        user=claim_admin, claim=claim_a, file=upload(_image("PNG"), "x.bin", "text/html"), title="Lab results"
    )
    url = reverse("claim:claim_attachment_file", args=[claim_a.uuid, attachment.uuid])
    response = login(medical_officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="Lab results.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == _image("PNG")


def test_pages_answer_404_out_of_scope_and_403_without_permission(
    login, claim_admin, eo_a, medical_officer, claim_a, claim_b
):
    theirs = ClaimAttachment.objects.create(
        claim=claim_b, title="b", file="claims/b.pdf", mime_type="application/pdf", size=1, uploaded_by=claim_admin
    )
    client = login(claim_admin)
    assert client.get(reverse("claim:claim_attachment_file", args=[claim_b.uuid, theirs.uuid])).status_code == 404
    assert (
        client.post(reverse("claim:claim_attachment_add", args=[claim_b.uuid]), {"file": upload()}).status_code == 404
    )
    url = reverse("claim:claim_attachment_delete", args=[claim_b.uuid, theirs.uuid])
    assert client.post(url).status_code == 404
    # an attachment of another claim, through a claim in scope
    assert client.get(reverse("claim:claim_attachment_file", args=[claim_a.uuid, theirs.uuid])).status_code == 404
    mine = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    add_url = reverse("claim:claim_attachment_add", args=[claim_a.uuid])
    assert login(medical_officer).post(add_url, {"file": upload()}).status_code == 403
    url = reverse("claim:claim_attachment_delete", args=[claim_a.uuid, mine.uuid])
    assert login(medical_officer).post(url).status_code == 403
    assert login(eo_a).get(reverse("claim:claim_attachment_file", args=[claim_a.uuid, mine.uuid])).status_code == 403
    assert ClaimAttachment.objects.count() == 2


# --- the API -------------------------------------------------------------------------------------------------


def _api_url(claim: Claim, attachment: ClaimAttachment | None = None, file: bool = False) -> str:
    url = f"/api/v1/claims/{claim.uuid}/attachments/"
    if attachment is not None:
        url += f"{attachment.uuid}/"
    return url + ("file/" if file else "")


def test_the_api_attaches_lists_downloads_and_removes(
    api, claim_admin, claim_a, media, django_capture_on_commit_callbacks
):
    client = api(claim_admin)
    created = client.post(_api_url(claim_a), {"file": upload(), "title": "Referral"}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    attachment = ClaimAttachment.objects.get()
    assert body["uuid"] == str(attachment.uuid) and body["title"] == "Referral"
    assert (body["mime_type"], body["size"], body["uploaded_by"]) == ("application/pdf", len(PDF), "claim_admin")
    assert body["download"].endswith(_api_url(claim_a, attachment, file=True))
    listed = client.get(_api_url(claim_a)).json()
    assert listed["count"] == 1 and listed["results"][0]["uuid"] == str(attachment.uuid)
    assert client.get(_api_url(claim_a, attachment)).json()["title"] == "Referral"
    download = client.get(_api_url(claim_a, attachment, file=True))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;") and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(_api_url(claim_a, attachment)).status_code == 204
    assert not ClaimAttachment.objects.exists() and stored_files(media) == []


def test_the_api_refuses_with_the_field_and_the_rule(api, claim_admin, claim_a, settings):
    client = api(claim_admin)
    response = client.post(_api_url(claim_a), {"file": upload(EXE, "invoice.pdf")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "attachment_type" and list(response.json()["fields"]) == ["file"]
    response = client.post(_api_url(claim_a), {"file": upload(b"")}, format="multipart")
    assert response.status_code == 400 and response.json()["fields"] == {"file": ["The file is empty."]}
    settings.CLAIM_ATTACHMENT_MAX_BYTES = 10
    response = client.post(_api_url(claim_a), {"file": upload()}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "attachment_too_large"
    assert client.post(_api_url(claim_a), {}, format="multipart").json()["fields"]["file"]  # no file at all
    _set_status(claim_a, ClaimStatus.VALUATED)
    settings.CLAIM_ATTACHMENT_MAX_BYTES = 10 * uploads.MB
    response = client.post(_api_url(claim_a), {"file": upload()}, format="multipart")
    assert response.status_code == 409 and response.json()["code"] == "claim_attachments_closed"
    assert not ClaimAttachment.objects.exists()


def test_the_api_answers_404_out_of_scope_and_403_without_permission(
    api, claim_admin, medical_officer, eo_a, claim_a, claim_b
):
    theirs = ClaimAttachment.objects.create(
        claim=claim_b, title="b", file="claims/b.pdf", mime_type="application/pdf", size=1, uploaded_by=claim_admin
    )
    client = api(claim_admin)
    assert client.get(_api_url(claim_b)).status_code == 404
    assert client.post(_api_url(claim_b), {"file": upload()}, format="multipart").status_code == 404
    assert client.get(_api_url(claim_b, theirs)).status_code == 404
    assert client.get(_api_url(claim_b, theirs, file=True)).status_code == 404
    assert client.delete(_api_url(claim_b, theirs)).status_code == 404
    assert client.delete(_api_url(claim_a, theirs)).status_code == 404  # not an attachment of this claim
    mine = attachments.attachment_add(user=claim_admin, claim=claim_a, file=upload())
    reviewer = api(medical_officer)
    assert reviewer.get(_api_url(claim_a)).status_code == 200  # reviewers read
    assert reviewer.post(_api_url(claim_a), {"file": upload()}, format="multipart").status_code == 403
    assert reviewer.delete(_api_url(claim_a, mine)).status_code == 403
    assert api(eo_a).get(_api_url(claim_a)).status_code == 403
    assert api().get(_api_url(claim_a)).status_code in (401, 403)
    assert ClaimAttachment.objects.count() == 2


def test_the_api_schema_describes_the_attachments(api, scheme_admin):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    listing = paths["/api/v1/claims/{uuid}/attachments/"]
    assert set(listing) >= {"get", "post"}
    assert "multipart/form-data" in listing["post"]["requestBody"]["content"]
    assert set(paths["/api/v1/claims/{uuid}/attachments/{attachment_uuid}/"]) >= {"get", "delete"}
    assert "get" in paths["/api/v1/claims/{uuid}/attachments/{attachment_uuid}/file/"]


# --- the shared upload rules, also used by insuree photos --------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, uploads.PDF),
        (_image("JPEG"), uploads.JPEG),
        (_image("PNG"), uploads.PNG),
        (_image("WEBP"), uploads.WEBP),
        (EXE, None),
        (b"RIFF\0\0\0\0WAVEfmt ", None),  # RIFF, but a sound
        (b"", None),
    ],
)
def test_sniffing_reads_the_first_bytes(data, kind):
    assert uploads.sniff(data) == kind


def test_a_claim_administrator_of_no_facility_finds_nothing(api, country, claim_a):
    nowhere = UserFactory.create(username="nowhere", role=roles.CLAIM_ADMINISTRATOR)
    assert api(nowhere).get(_api_url(claim_a)).status_code == 404  # the permission, but no facility
