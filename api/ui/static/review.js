// A review item: play one flagged segment, or all of them in turn.
const video = document.getElementById("player");

let stopAt = null;
let queue = [];

function play(start, end) {
  stopAt = end;
  video.currentTime = start;
  video.play();
}

function next() {
  const segment = queue.shift();
  if (segment) play(segment.start, segment.end);
}

if (video) {
  video.addEventListener("timeupdate", () => {
    if (stopAt !== null && video.currentTime >= stopAt) {
      video.pause();
      stopAt = null;
      next();
    }
  });
  document.addEventListener("click", (event) => {
    const chip = event.target.closest("[data-play-start]");
    if (!chip) return;
    queue = [];
    play(Number(chip.dataset.playStart), Number(chip.dataset.playEnd));
  });
  const all = document.getElementById("play-flagged");
  if (all) {
    all.addEventListener("click", () => {
      queue = Array.from(document.querySelectorAll(".is-flagged [data-play-start]")).map((el) => ({
        start: Number(el.dataset.playStart), end: Number(el.dataset.playEnd),
      })).sort((a, b) => a.start - b.start);
      next();
    });
  }
}
