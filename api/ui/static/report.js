// The calibration report: each band's bars as long as their share of the card's largest count
// (set here: the page's style policy allows no inline styles).
for (const table of document.querySelectorAll(".bands")) {
  const bars = Array.from(table.querySelectorAll(".bar"));
  const most = Math.max(1, ...bars.map((b) => Number(b.dataset.count)));
  for (const bar of bars) bar.style.width = `${(Number(bar.dataset.count) / most) * 6}rem`;
}
