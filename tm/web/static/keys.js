// Keyboard shortcuts for the pages of tm serve. Every page works without them: they press the
// buttons and follow the links a mouse would.
//   /           the search box
//   1-9         copy the translation of match N (search page); a Copy button on each match too
//   j / k       the next / previous unit of the review queue; Enter opens it; a accepts it
//   a           accept the unit (unit page)
//   Ctrl+S      save the unit's edit (unit page)
(function () {
  "use strict";
  let selected = -1;

  function copy(match) {
    const text = match.querySelector(".target-text").textContent;
    match.dataset.copied = "true";
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).catch(function () {});
    }
  }

  function select(rows, index) {
    rows.forEach(function (row) { row.classList.remove("selected"); });
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows[selected].classList.add("selected");
    rows[selected].scrollIntoView({ block: "nearest" });
  }

  function submit(form) {
    if (form) {
      form.requestSubmit();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".match").forEach(function (match) {
      if (!match.querySelector(".target-text")) {
        return;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = "Copy";
      button.addEventListener("click", function () { copy(match); });
      match.appendChild(button);
    });
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      const edit = document.getElementById("edit");
      if (edit) {
        event.preventDefault();
        submit(edit);
      }
      return;
    }
    const typing = ["INPUT", "TEXTAREA", "SELECT"].indexOf(document.activeElement.tagName) >= 0;
    if (typing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-unit]"));
    const matches = document.querySelectorAll(".match");
    if (event.key === "/") {
      const box = document.querySelector('input[name="q"]');
      if (box) {
        event.preventDefault();
        box.focus();
      }
    } else if (event.key >= "1" && event.key <= "9" && matches.length >= Number(event.key)) {
      copy(matches[Number(event.key) - 1]);
    } else if ((event.key === "j" || event.key === "k") && rows.length) {
      select(rows, selected + (event.key === "j" ? 1 : -1));
    } else if (event.key === "Enter" && selected >= 0 && rows.length) {
      rows[selected].querySelector("a").click();
    } else if (event.key === "a") {
      const row = selected >= 0 && rows.length ? rows[selected] : null;
      submit(row ? row.querySelector('form[action$="/accept"]') : document.getElementById("accept-form"));
    }
  });
})();
