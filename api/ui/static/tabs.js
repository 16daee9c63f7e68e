// Tabs in the WAI-ARIA pattern: arrow keys, Home and End move between tabs,
// the selected tab's panel alone is shown. The page is served with every panel
// shown and the tab list hidden, so it reads whole without this script. The
// tab last chosen is kept for the browser tab's session (a reload stays there).

function remembered(key) {
  try { return window.sessionStorage.getItem(key); } catch (err) { return null; }
}

function remember(key, id) {
  try { window.sessionStorage.setItem(key, id); } catch (err) { /* private mode: not kept */ }
}

export function tabs(list, initial, key = "vidclip-tab") {
  if (!list) return () => {};
  const all = Array.from(list.querySelectorAll('[role="tab"]'));
  const panel = (tab) => document.getElementById(tab.getAttribute("aria-controls"));
  const select = (tab, focus) => {
    for (const other of all) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      const p = panel(other);
      p.hidden = !on;
    }
    if (focus) tab.focus();
    remember(key, tab.id);
  };
  for (const tab of all) {
    const p = panel(tab);
    p.setAttribute("role", "tabpanel");
    p.setAttribute("aria-labelledby", tab.id);
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const at = all.indexOf(tab);
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      select(all[(to + all.length) % all.length], true);
    });
  }
  list.hidden = false;
  const kept = all.find((t) => t.id === remembered(key));
  select(all.find((t) => panel(t).contains(initial)) || kept || all[0], false);
  // Showing the panel that holds an element (a link to a cue, a seek into speech).
  return (element) => {
    const tab = all.find((t) => panel(t).contains(element));
    if (tab && tab.getAttribute("aria-selected") !== "true") select(tab, false);
  };
}
