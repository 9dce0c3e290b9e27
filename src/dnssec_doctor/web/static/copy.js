// Progressive enhancement: a Copy button beside each fix line (DS records, commands).
// Without JavaScript the lines are plain selectable text, and the page says the same.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const line of document.querySelectorAll("pre[data-copy]")) {
    const wrap = document.createElement("div");
    wrap.className = "fixwrap";
    line.replaceWith(wrap);
    wrap.append(line);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(line.textContent);
        button.textContent = "Copied";
        button.classList.add("done");
      } catch (error) {
        const range = document.createRange();  // no clipboard access: select it instead
        range.selectNodeContents(line);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        button.textContent = "Selected: press Ctrl+C";
      }
    });
    wrap.append(button);
  }
});
