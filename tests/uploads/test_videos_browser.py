"""A real recording, given a location and then blanked, still plays in Chromium: blanking in place leaves
a file a real demuxer and decoder accept."""

import base64

import pytest

from tests.samples_video import SAMPLES, box, iphone_meta, loci, with_movie_boxes, without_location, xyz
from uploads.videos import blank_video_location

pytestmark = pytest.mark.browser

# Resolves with the picture's size once playback has moved past the first frame; rejects on a media
# error, or after 20 s rather than hanging the run.
PLAY = """async url => {
  const video = Object.assign(document.createElement("video"), {muted: true, src: url});
  const played = new Promise((resolve, reject) => {
    video.onerror = () => reject(new Error(video.error.message || `media error ${video.error.code}`));
    video.ontimeupdate = () => video.currentTime > 0 && resolve([video.videoWidth, video.videoHeight]);
    setTimeout(() => reject(new Error("never played")), 20000);
  });
  await video.play();
  return played;
}"""


def plays(page, video: bytes) -> list[int]:
    return page.evaluate(PLAY, "data:video/mp4;base64," + base64.b64encode(video).decode())


def test_a_recording_with_its_location_blanked_still_plays(phone, tmp_path):
    recording = (SAMPLES / "chromium-recorded.mp4").read_bytes()
    located = with_movie_boxes(recording, box(b"udta", xyz(), loci()), iphone_meta())
    path = tmp_path / "video.mp4"
    path.write_bytes(located)
    with open(path, "r+b") as file:
        assert blank_video_location(file, len(located)) == 4
    blanked = path.read_bytes()
    assert blanked == without_location(located)
    assert plays(phone, located) == [320, 240]
    assert plays(phone, blanked) == [320, 240]
