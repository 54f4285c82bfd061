"""Moderation: approving, hiding and deleting photos in bulk from the gallery, what each tab lists, and
what the event page counts."""

import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from events.models import Moderation, Photo, PhotoExport
from events.selectors import photos_in_scope
from events.services import event_create, event_update, photo_set_hidden, photos_moderate
from photoshare_site.wiring import quota_store

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def organizer(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def approve_first(wedding):
    return event_update(event=wedding, moderation=Moderation.APPROVE_FIRST, upload_limit=10)


def gallery(organizer, event, **query):
    return organizer.get(reverse("gallery", args=[event.slug]), query)


def moderate(organizer, event, ids, action, **fields):
    data = {"ids": [str(pk) for pk in ids], "action": action, **fields}
    return organizer.post(reverse("photos-moderate", args=[event.slug]), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_recorder_keeps_a_photo_waiting_when_the_event_approves_first(organizer, approve_first, uploaded):
    uploaded(1)
    photo = Photo.objects.get()
    assert not photo.approved and not photo.hidden
    assert not photos_in_scope(approve_first, PhotoExport.Scope.SHARED).exists()
    page = organizer.get(reverse("photo-detail", args=[approve_first.slug, photo.pk]))
    assert "waiting for approval" in page.content.decode()


def test_a_photo_is_shared_at_once_when_the_event_does_not_approve_first(wedding, uploaded):
    uploaded(1)
    assert Photo.objects.get().approved


def test_approving_in_bulk_shows_the_photos_and_moves_their_change_time(approve_first, uploaded):
    uploaded(3)
    Photo.objects.update(changed_at=LONG_AGO)
    first, second, third = Photo.objects.order_by("pk")
    photo_set_hidden(photo=second, hidden=True)
    assert photos_moderate(event=approve_first, ids=[first.pk, second.pk], action="approve") == 2
    assert set(photos_in_scope(approve_first, PhotoExport.Scope.SHARED)) == {first, second}
    assert Photo.objects.filter(changed_at__gt=LONG_AGO).count() == 2
    third.refresh_from_db()
    assert third.changed_at == LONG_AGO and not third.approved


@pytest.mark.parametrize(("action", "hidden"), [("hide", True), ("show", False)])
def test_hiding_and_showing_in_bulk_move_the_change_time(wedding, uploaded, action, hidden):
    uploaded(2)
    Photo.objects.update(changed_at=LONG_AGO, hidden=not hidden)
    assert photos_moderate(event=wedding, ids=Photo.objects.values_list("pk", flat=True), action=action) == 2
    assert all(p.hidden == hidden and p.changed_at > LONG_AGO for p in Photo.objects.all())


def test_hiding_one_photo_moves_its_change_time(wedding, uploaded):
    uploaded(1)
    Photo.objects.update(changed_at=LONG_AGO)
    photo = photo_set_hidden(photo=Photo.objects.get(), hidden=True)
    photo.refresh_from_db()
    assert photo.hidden and photo.changed_at > LONG_AGO


def test_it_leaves_another_events_photos_alone_whatever_ids_it_is_given(alice, wedding, uploaded):
    uploaded(1)
    other = event_create(owner=alice, name="Other", slug="other")
    assert photos_moderate(event=other, ids=[Photo.objects.get().pk], action="hide") == 0
    assert photos_moderate(event=other, ids=[Photo.objects.get().pk], action="delete") == 0
    assert not Photo.objects.get().hidden


@pytest.mark.parametrize(("refund", "count_after"), [(True, 0), (False, 2)])
def test_deleting_in_bulk_removes_the_files_and_gives_slots_back_only_with_refund(
    wedding, uploaded, device, photos_dir, refund, count_after
):
    bodies = uploaded(2)
    ids = Photo.objects.values_list("pk", flat=True)
    assert photos_moderate(event=wedding, ids=ids, action="delete", refund=refund) == 2
    assert not Photo.objects.exists()
    assert not any((photos_dir / body["key"]).exists() for body in bodies)
    assert quota_store().usage(wedding.slug, device).count == count_after


def test_each_gallery_tab_lists_its_photos_and_counts_them(organizer, approve_first, uploaded):
    uploaded(4)
    waiting, shared, hidden, hidden_unapproved = Photo.objects.order_by("pk")
    Photo.objects.filter(pk=shared.pk).update(approved=True)
    Photo.objects.filter(pk=hidden.pk).update(approved=True, hidden=True)
    Photo.objects.filter(pk=hidden_unapproved.pk).update(hidden=True)
    expected = {"all": 4, "waiting": 1, "shared": 1, "hidden": 2}
    for state, count in expected.items():
        page = gallery(organizer, approve_first, show=state)
        assert len(page.context["page"]) == count
        assert (state, count) in [(key, n) for key, _, n in page.context["tabs"]]
    assert [p.pk for p in gallery(organizer, approve_first, show="waiting").context["page"]] == [waiting.pk]
    assert 'class="waiting-badge"' in gallery(organizer, approve_first).content.decode()


def test_an_unknown_tab_shows_everything(organizer, wedding, uploaded):
    uploaded(2)
    assert len(gallery(organizer, wedding, show="nonsense").context["page"]) == 2


def test_bulk_approving_says_how_many_and_goes_back_to_the_tab_it_came_from(organizer, approve_first, uploaded):
    uploaded(3)
    back = reverse("gallery", args=[approve_first.slug]) + "?show=waiting"
    response = moderate(organizer, approve_first, Photo.objects.values_list("pk", flat=True), "approve", next=back)
    assert response.redirect_chain[-1][0] == back
    assert messages_of(response) == ["3 photos approved."]
    assert Photo.objects.filter(approved=True).count() == 3


def test_a_bulk_delete_asks_once_with_the_count_then_says_how_many_went(organizer, wedding, uploaded, device):
    uploaded(3)
    ids = list(Photo.objects.values_list("pk", flat=True))
    # WHEN the organizer asks to delete two of them
    question = moderate(organizer, wedding, ids[:2], "delete")
    # THEN nothing is gone yet, and the page asks about exactly those two
    assert Photo.objects.count() == 3
    assert "Delete 2 photos?" in question.content.decode()
    confirm = question.context["form"]
    assert confirm.initial["ids"] == ids[:2] and confirm.initial["confirmed"] is True
    # WHEN it confirms (slots given back)
    done = moderate(organizer, wedding, ids[:2], "delete", confirmed="True", refund="on")
    assert messages_of(done) == ["2 photos deleted. Their slots were given back."]
    assert list(Photo.objects.values_list("pk", flat=True)) == ids[2:]
    assert quota_store().usage(wedding.slug, device).count == 1


def test_the_confirmation_counts_only_the_events_own_photos(organizer, wedding, uploaded):
    uploaded(1)
    question = moderate(organizer, wedding, [Photo.objects.get().pk, 999999], "delete")
    assert "Delete 1 photo?" in question.content.decode()


def test_a_bulk_form_with_nothing_ticked_asks_to_select_a_photo(organizer, wedding, uploaded):
    uploaded(1)
    response = moderate(organizer, wedding, [], "hide")
    assert messages_of(response) == ["Select at least one photo first."]
    assert not Photo.objects.get().hidden


@pytest.mark.parametrize("ids", [["x"], ["1"] * 501])
def test_a_bulk_form_refuses_ids_that_are_not_a_pages_worth_of_numbers(organizer, wedding, uploaded, ids):
    uploaded(1)
    response = organizer.post(
        reverse("photos-moderate", args=[wedding.slug]), {"ids": ids, "action": "hide"}, follow=True
    )
    assert messages_of(response) == ["Those photos cannot be changed at once."]


def test_an_organizer_cannot_moderate_another_organizers_photos_through_their_own_event(
    organizer, alice, bob, wedding, uploaded
):
    uploaded(1)
    wedding.owner = bob
    wedding.save()
    mine = event_create(owner=alice, name="Mine", slug="mine")
    response = moderate(organizer, mine, [Photo.objects.get().pk], "hide")
    assert messages_of(response) == ["0 photos hidden."]
    assert not Photo.objects.get().hidden


@pytest.mark.parametrize(
    "back", ["https://evil.example/", "/events/other/photos/", "//evil.example/events/ana-ben/photos/"]
)
def test_after_a_bulk_action_it_only_goes_back_to_this_events_gallery(organizer, wedding, uploaded, back):
    uploaded(1)
    response = moderate(organizer, wedding, [Photo.objects.get().pk], "hide", next=back)
    assert response.redirect_chain[-1][0] == reverse("gallery", args=[wedding.slug])


def test_the_event_page_counts_the_photos_waiting_for_approval(organizer, approve_first, uploaded):
    uploaded(3)
    Photo.objects.filter(pk=Photo.objects.first().pk).update(hidden=True)
    page = organizer.get(reverse("event-detail", args=[approve_first.slug]))
    assert page.context["stats"].waiting == 2
    assert "?show=waiting" in page.content.decode()


def zip_names(response) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist())


def test_download_all_leaves_hidden_photos_out_unless_asked(organizer, wedding, uploaded):
    uploaded(2)
    photo_set_hidden(photo=Photo.objects.first(), hidden=True)
    url = reverse("download-all", args=[wedding.slug])
    assert len(zip_names(organizer.get(url))) == 1
    assert len(zip_names(organizer.get(url, {"hidden": "1"}))) == 2


def test_the_shared_scope_holds_only_approved_photos_not_hidden(approve_first, uploaded):
    uploaded(3)
    waiting, approved, hidden = Photo.objects.order_by("pk")
    photos_moderate(event=approve_first, ids=[approved.pk, hidden.pk], action="approve")
    photos_moderate(event=approve_first, ids=[hidden.pk], action="hide")
    assert list(photos_in_scope(approve_first, PhotoExport.Scope.SHARED)) == [approved]
    assert set(photos_in_scope(approve_first, PhotoExport.Scope.NOT_HIDDEN)) == {waiting, approved}
    assert set(photos_in_scope(approve_first, PhotoExport.Scope.WITH_HIDDEN)) == {waiting, approved, hidden}


def test_hiding_a_photo_in_the_admin_moves_its_change_time(client, admin_user, wedding, uploaded):
    uploaded(1)
    Photo.objects.update(changed_at=LONG_AGO)
    photo = Photo.objects.get()
    client.force_login(admin_user)
    response = client.post(reverse("admin:events_photo_change", args=[photo.pk]), {"hidden": "on"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.hidden and photo.changed_at > LONG_AGO
