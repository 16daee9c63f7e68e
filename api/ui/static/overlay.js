// Boxes around the on-screen text over the player. A box is given in fractions
// of the displayed frame, so the overlay is laid over the part of the <video>
// element the picture fills: inside the letterbox or pillarbox bars that
// object-fit leaves, wherever object-position puts the picture. The overlay is
// aria-hidden: screen readers get the same texts from the timeline's text lane.

// "50%", "12px", "left", ... of an object-position part, as a share of the free space.
function share(part, free) {
  if (!part || part === "center") return 0.5;
  if (part === "left" || part === "top") return 0;
  if (part === "right" || part === "bottom") return 1;
  if (part.endsWith("%")) return Number.parseFloat(part) / 100;
  if (part.endsWith("px")) return free ? Number.parseFloat(part) / free : 0;
  return 0.5;
}

// The rectangle (in the element's own pixels) that the video picture covers.
export function pictureRect(video) {
  const width = video.clientWidth;
  const height = video.clientHeight;
  const naturalW = video.videoWidth || Number(video.dataset.width) || width;
  const naturalH = video.videoHeight || Number(video.dataset.height) || height;
  const style = getComputedStyle(video);
  const fit = style.objectFit || "contain";
  let scale = Math.min(width / naturalW, height / naturalH);
  if (fit === "cover") scale = Math.max(width / naturalW, height / naturalH);
  else if (fit === "none") scale = 1;
  else if (fit === "scale-down") scale = Math.min(1, scale);
  let w = naturalW * scale;
  let h = naturalH * scale;
  if (fit === "fill") { w = width; h = height; }
  const [px, py] = (style.objectPosition || "50% 50%").split(/\s+/);
  const left = (width - w) * share(px, width - w);
  const top = (height - h) * share(py === undefined ? px : py, height - h);
  return { left, top, width: w, height: h };
}

export function textBoxes(video) {
  const overlay = document.getElementById("text-overlay");
  if (!video || !overlay) return () => {};
  const boxes = Array.from(overlay.querySelectorAll(".text-box")).map((el) => {
    const [x0, y0, x1, y1] = el.dataset.box.split(" ").map(Number);
    el.style.left = `${x0 * 100}%`;
    el.style.top = `${y0 * 100}%`;
    el.style.width = `${Math.max(x1 - x0, 0) * 100}%`;
    el.style.height = `${Math.max(y1 - y0, 0) * 100}%`;
    return { el, start: Number(el.dataset.start), end: Number(el.dataset.end) };
  });
  const toggle = document.getElementById("show-boxes");

  const place = () => {
    const rect = pictureRect(video);
    overlay.style.left = `${video.offsetLeft + rect.left}px`;
    overlay.style.top = `${video.offsetTop + rect.top}px`;
    overlay.style.width = `${rect.width}px`;
    overlay.style.height = `${rect.height}px`;
  };
  const show = () => {
    const on = !toggle || toggle.checked;
    overlay.hidden = !on;
    const t = video.currentTime;
    for (const box of boxes) box.el.hidden = !(on && t >= box.start && t < box.end);
  };
  // While playing, follow every frame: a box appears and goes with its text.
  const follow = () => {
    show();
    if (!video.paused && !video.ended) window.requestAnimationFrame(follow);
  };
  video.addEventListener("loadedmetadata", () => { place(); show(); });
  video.addEventListener("play", follow);
  for (const type of ["seeked", "timeupdate"]) video.addEventListener(type, show);
  if (toggle) toggle.addEventListener("change", show);
  if (window.ResizeObserver) new ResizeObserver(place).observe(video);
  window.addEventListener("resize", place);
  place();
  show();
  return show;
}
