// Building the page. Everything that comes from data goes in with textContent (el's "text" and its children),
// never as HTML.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** An element: props are attributes ("text" its text, "class" its class, "on…" listeners; false, null and undefined
 * left out), children nodes or text. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Empties a node; answers it. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

const svgNs = "http://www.w3.org/2000/svg";

/** An SVG element with its attributes and, if given, its text. */
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Marks a navigation link as the page shown, or not. */
export function markCurrent(link, on) {
  if (on) link.setAttribute("aria-current", "page");
  else link.removeAttribute("aria-current");
}

/** A button or link that folds a panel open and shut, saying so in aria-expanded. */
export function wireToggle(toggle, panel, onChange) {
  toggle.addEventListener("click", () => {
    const open = !panel.classList.contains("open");
    panel.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (onChange) onChange(open);
  });
}

/** On a phone the header's links fold behind a menu button (#menu); choosing one closes it again. */
export function wireMenu() {
  const bar = document.querySelector("header.bar");
  const toggle = $("menu");
  wireToggle(toggle, bar);
  const close = () => { bar.classList.remove("open"); toggle.setAttribute("aria-expanded", "false"); };
  for (const node of document.querySelectorAll("#bar-menu a, #bar-menu button")) node.addEventListener("click", close);
}
