// Niceties only: every page works without JavaScript.
// "/" jumps to the search box (unless one is typing already); Escape leaves it.
document.addEventListener("keydown", (event) => {
  const box = document.querySelector("[data-search-box]");
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? "");
  if (event.key === "/" && box && !typing) {
    event.preventDefault();
    box.focus();
    box.select();
  } else if (event.key === "Escape" && document.activeElement === box) {
    box.blur();
  }
});
