/*
 * The review queue's keyboard: move through the waiting claims and act without the mouse.
 * j/ArrowDown next, k/ArrowUp previous, x tick, a approve the claim shown, Shift+A approve the ticked ones,
 * r reject (focus the reason), o open the claim's page, Esc leave a field. Keys typed in a field are the field's.
 * The panel is loaded with HTMX (the rows' links); this file only clicks them and keeps the current row marked.
 */
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#review-table tbody tr[data-claim]"));
  }

  function currentIndex(list) {
    var panel = document.getElementById("review-current");
    var uuid = panel ? panel.getAttribute("data-claim") : null;
    for (var i = 0; i < list.length; i++) {
      if (list[i].getAttribute("data-claim") === uuid) {
        return i;
      }
    }
    return -1;
  }

  function mark() {
    var list = rows();
    var at = currentIndex(list);
    list.forEach(function (row, i) {
      row.classList.toggle("table-active", i === at);
      if (i === at) {
        row.setAttribute("aria-current", "true");
        row.scrollIntoView({ block: "nearest" });
      } else {
        row.removeAttribute("aria-current");
      }
    });
  }

  function open(row) {
    var link = row && row.querySelector("a.review-open");
    if (link) {
      link.click();
    }
  }

  function move(step) {
    var list = rows();
    if (!list.length) {
      return;
    }
    var at = currentIndex(list);
    var next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), list.length - 1);
    if (next !== at) {
      open(list[next]);
    }
  }

  function click(id) {
    var el = document.getElementById(id);
    if (el) {
      el.click();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("review-table") && !document.getElementById("review-panel")) {
      return;
    }
    var target = event.target;
    var typing = target instanceof HTMLInputElement && target.type !== "checkbox" || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
    if (event.key === "Escape" && typing) {
      target.blur();
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var handled = true;
    if (event.key === "j" || event.key === "ArrowDown") {
      move(1);
    } else if (event.key === "k" || event.key === "ArrowUp") {
      move(-1);
    } else if (event.key === "x") {
      var list = rows();
      var row = list[currentIndex(list)];
      var box = row && row.querySelector("input[type=checkbox]");
      if (box) {
        box.checked = !box.checked;
      }
    } else if (event.key === "A") {
      click("approve-selected");
    } else if (event.key === "a") {
      click("review-approve");
    } else if (event.key === "r") {
      var reason = document.getElementById("reject-reason");
      if (reason) {
        reason.focus();
      }
    } else if (event.key === "o") {
      var panel = document.getElementById("review-current");
      if (panel) {
        window.location.href = panel.getAttribute("data-claim-url");
      }
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "review-panel") {
      return;
    }
    var done = document.querySelector("#review-done[data-decided]");
    var count = document.getElementById("queue-count");
    if (done && count && !done.hasAttribute("data-counted")) {
      done.setAttribute("data-counted", "1");
      count.textContent = String(Math.max(0, parseInt(count.textContent, 10) - 1));
    }
    mark();
  });

  document.addEventListener("DOMContentLoaded", mark);
})();
