// Organization / member picker (web/picker.py): completes a code input from the app's own
// pick/ endpoint. Without this script the input is a plain code field.
(function () {
  "use strict";
  var url = document.body.getAttribute("data-pick-url");
  if (!url || !window.fetch) return;

  function setup(input, index) {
    var list = document.createElement("ul");
    list.className = "pick-list";
    list.id = "pick-list-" + index;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var chosen = document.createElement("span");
    chosen.className = "pick-chosen meta";
    chosen.setAttribute("aria-live", "polite");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var wrap = document.createElement("span");
    wrap.className = "pick";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(chosen);

    var timer = null, active = -1, asked = "";

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
    }
    function choose(item) {
      input.value = item.getAttribute("data-value");
      chosen.textContent = item.getAttribute("data-label");
      close();
    }
    function highlight(i) {
      var items = list.children;
      if (!items.length) return;
      active = (i + items.length) % items.length;
      for (var k = 0; k < items.length; k++) {
        items[k].setAttribute("aria-selected", k === active ? "true" : "false");
      }
      items[active].scrollIntoView({ block: "nearest" });
    }
    function show(results) {
      list.textContent = "";
      results.forEach(function (r) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("data-value", r.value);
        li.setAttribute("data-label", r.label);
        var name = document.createElement("span");
        name.textContent = r.label;
        var detail = document.createElement("small");
        detail.textContent = r.value + (r.detail ? " · " + r.detail : "");
        li.appendChild(name);
        li.appendChild(detail);
        li.addEventListener("mousedown", function (e) {
          e.preventDefault();
          choose(li);
        });
        list.appendChild(li);
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "pick-none";
        none.textContent = list.getAttribute("data-empty") || "Không tìm thấy.";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function ask() {
      var q = input.value.trim();
      if (q === asked) return;
      asked = q;
      chosen.textContent = "";
      if (!q) { close(); return; }
      var params = new URLSearchParams({ type: input.getAttribute("data-pick"), q: q });
      if (input.getAttribute("data-kinds")) params.set("kinds", input.getAttribute("data-kinds"));
      fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (q === input.value.trim()) show(data.results); })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
      else if (e.key === "Enter" && active >= 0 && list.children[active].hasAttribute("data-value")) {
        e.preventDefault();
        choose(list.children[active]);
      } else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  var inputs = document.querySelectorAll("input[data-pick]");
  for (var i = 0; i < inputs.length; i++) setup(inputs[i], i);
})();
