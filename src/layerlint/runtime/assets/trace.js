/* The trace report's behaviour: open/close the tree, search, filter by verdict, link the tree and
   the diagnostics, and show the selected layer's calls and inputs. Written for this page; no library. */
(function () {
  "use strict";
  var body = document.body;
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function make(tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    if (cls) { el.className = cls; }
    return el;
  }
  try {
    var data = JSON.parse(document.getElementById("layerlint-data").textContent);
    var view = JSON.parse(document.getElementById("layerlint-view").textContent);
    function word(key) { return view.words[key] || key; }
    var rows = all("#tree li.row");
    var byId = {};
    rows.forEach(function (row) { byId[row.id] = row; });
    var diagnostics = all("#diagnostics li.diagnostic");
    var tableRows = all("#calls tr[data-row]");
    var search = document.getElementById("search");
    var boxes = all('input[name="verdict"]');
    var count = document.getElementById("match-count");
    var panel = document.getElementById("tree-panel");
    var defaultOpen = rows.filter(function (row) { return row.classList.contains("open"); });

    // the header's height sizes the two scrolling panes, so that they fill the window
    function fit() { document.documentElement.style.setProperty("--head", (document.getElementById("top").offsetHeight + 4) + "px"); }
    fit();
    window.addEventListener("resize", fit);

    function parentRow(row) {
      var up = row.parentElement && row.parentElement.closest("li.row");
      return up || null;
    }
    function setOpen(row, open) {
      if (!row.classList.contains("has-children")) { return; }
      row.classList.toggle("open", open);
      row.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function reveal(row) {
      for (var up = parentRow(row); up; up = parentRow(up)) { setOpen(up, true); }
    }

    // 1. search and the verdict filter: a row shows when it matches both, or holds a row that does
    function wanted() {
      var verdicts = {};
      boxes.forEach(function (box) { if (box.checked) { verdicts[box.value] = true; } });
      return { query: search.value.trim().toLowerCase(), verdicts: verdicts,
               all: boxes.every(function (box) { return box.checked; }) };
    }
    function matches(row, want) {
      var kind = row.className.match(/kind-(\w+)/)[1];
      var byVerdict = want.all || (!/^(container|group|range|model)$/.test(kind) && want.verdicts[row.dataset.verdict]);
      var byText = !want.query || row.dataset.search.indexOf(want.query) >= 0;
      return byVerdict && byText;
    }
    function applyFilter() {
      var want = wanted();
      var active = !want.all || want.query;
      var shown = 0, hits = 0;
      // children come after their parent in document order: walk backwards so each row knows its subtree
      var visible = {};
      for (var i = rows.length - 1; i >= 0; i--) {
        var row = rows[i], hit = active && matches(row, want);
        var keep = !active || hit || visible[row.id];
        row.classList.toggle("hidden", !keep);
        row.classList.toggle("match", Boolean(hit && want.query));
        if (keep) {
          shown++;
          var up = parentRow(row);
          if (up) { visible[up.id] = true; }
          if (active && visible[row.id]) { setOpen(row, true); }
        }
        if (hit) { hits++; }
      }
      count.textContent = active ? word("matching rows").replace("{count}", hits) : "";
      body.dataset.shown = String(shown);
      body.dataset.hits = String(hits);
    }
    var timer = null;
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(applyFilter, 120); });
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") { clearTimeout(timer); applyFilter(); } });
    boxes.forEach(function (box) { box.addEventListener("change", applyFilter); });
    function clearFilter() {
      search.value = "";
      boxes.forEach(function (box) { box.checked = true; });
      applyFilter();
    }

    // 2. open / close
    document.getElementById("expand-all").addEventListener("click", function () {
      rows.forEach(function (row) { setOpen(row, true); });
    });
    document.getElementById("collapse-all").addEventListener("click", function () {
      rows.forEach(function (row) { setOpen(row, row === rows[0]); });
    });
    document.getElementById("show-findings").addEventListener("click", function () {
      clearFilter();
      rows.forEach(function (row) { setOpen(row, defaultOpen.indexOf(row) >= 0); });
    });

    // 3. selection: a row selects its diagnostics and calls; a diagnostic its rows
    function clearSelection() {
      all(".selected").forEach(function (el) { el.classList.remove("selected"); });
    }
    function selectRows(ids, origin) {
      clearSelection();
      var first = null;
      ids.forEach(function (id) {
        var row = byId[id];
        if (!row) { return; }
        if (row.classList.contains("hidden")) { clearFilter(); }
        reveal(row);
        row.classList.add("selected");
        first = first || row;
        tableRows.forEach(function (tr) { if (tr.dataset.row === id) { tr.classList.add("selected"); } });
        (row.dataset.diagnostics || "").split(" ").forEach(function (diagId) {
          var item = diagId && document.getElementById(diagId);
          if (item && !origin) { item.classList.add("selected"); }
        });
      });
      if (origin) { origin.classList.add("selected"); }
      if (first) { showDetails(first); current = first; }
      body.dataset.selected = ids.join(" ");
      return first;
    }
    function scrollToRow(row) {
      var line = row.querySelector(".line");
      var box = line.getBoundingClientRect(), frame = panel.getBoundingClientRect();
      if (box.top < frame.top || box.bottom > frame.bottom) {
        panel.scrollTop += box.top - frame.top - panel.clientHeight / 3;
      }
      if (box.left < frame.left || box.right > frame.right) { panel.scrollLeft += box.left - frame.left - 20; }
    }
    function pickRow(row) {
      selectRows([row.id]);
      var first = (row.dataset.diagnostics || "").split(" ")[0];
      var item = first && document.getElementById(first);
      if (item) { item.scrollIntoView({ block: "nearest" }); }
    }
    function pickDiagnostic(item) {
      var first = selectRows((item.dataset.rows || "").split(" ").filter(Boolean), item);
      if (first) { scrollToRow(first); }
    }
    document.getElementById("tree").addEventListener("click", function (event) {
      var chip = event.target.closest("a.chip");
      if (chip) {
        event.preventDefault();
        var item = document.getElementById(chip.dataset.diag);
        pickDiagnostic(item);
        item.scrollIntoView({ block: "nearest" });
        return;
      }
      var line = event.target.closest(".line");
      if (!line) { return; }
      var row = line.parentElement;
      if (event.target.classList.contains("twisty") || !row.dataset.instance) {
        setOpen(row, !row.classList.contains("open"));
        if (!row.dataset.instance) { return; }
      }
      pickRow(row);
    });
    // the keyboard: the tree is one tab stop; arrows move the selection, open and close
    var current = null;
    document.getElementById("tree").addEventListener("keydown", function (event) {
      var shown = rows.filter(function (row) { return row.offsetParent !== null; });
      var at = Math.max(0, shown.indexOf(current || shown[0]));
      var row = shown[at], next = null;
      if (event.key === "ArrowDown") { next = shown[Math.min(at + 1, shown.length - 1)]; }
      else if (event.key === "ArrowUp") { next = shown[Math.max(at - 1, 0)]; }
      else if (event.key === "ArrowRight") { setOpen(row, true); }
      else if (event.key === "ArrowLeft") {
        if (row.classList.contains("open")) { setOpen(row, false); } else { next = parentRow(row); }
      }
      else if (event.key === "Enter" || event.key === " ") { setOpen(row, !row.classList.contains("open")); next = row; }
      else { return; }
      event.preventDefault();
      if (next) { current = next; selectRows([next.id]); scrollToRow(next); }
    });
    diagnostics.forEach(function (item) {
      item.addEventListener("click", function (event) {
        if (event.target.closest("a")) { return; }
        pickDiagnostic(item);
      });
      item.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pickDiagnostic(item); }
      });
    });

    // 4. the details card of the selected layer, built from the embedded data (text only, never markup)
    function link(id, text) {
      if (!id || !byId[id]) { return make("span", text); }
      var a = make("a", text);
      a.href = "#select=" + id;
      a.addEventListener("click", function (event) {
        event.preventDefault();
        pickRow(byId[id]);
        scrollToRow(byId[id]);
      });
      return a;
    }
    function shapes(call) {
      var parts = call.shapes.map(function (shape, i) {
        var text = shape === null ? "?" : "(" + shape.map(function (d) { return d === null ? "None" : d; }).join(",") + ")";
        return text + " " + (call.dtypes[i] || "");
      });
      return parts.join("; ") || "no tensor";
    }
    function edgeList(edges, title) {
      var frag = document.createDocumentFragment();
      if (!edges || !edges.length) { return frag; }
      frag.appendChild(make("dt", title));
      var dd = make("dd"), list = make("ul");
      edges.forEach(function (edge) {
        var li = make("li");
        li.appendChild(link(edge[0], edge[1]));
        li.appendChild(make("span", " " + edge[2] + (edge[4] > 1 ? " \u00d7" + edge[4] : "") +
                            (edge[3] ? "" : " (" + word("call order") + ")"), "note"));
        list.appendChild(li);
      });
      dd.appendChild(list);
      frag.appendChild(dd);
      return frag;
    }
    function showDetails(row) {
      var card = document.getElementById("details");
      var inst = data.instances[Number(row.dataset.index)];
      card.textContent = "";
      card.appendChild(make("h2", word("Selected layer")));
      if (!inst) { card.appendChild(make("p", row.querySelector(".label").textContent, "empty")); return; }
      var dl = make("dl");
      function item(term, value) { dl.appendChild(make("dt", term)); dl.appendChild(make("dd", value)); }
      item(word("layer"), row.dataset.instance);
      item(word("class"), inst["class"] + " (" + inst.framework + ")" + (inst.category ? ", " + inst.category : ""));
      item(word("verdict"), row.dataset.verdict);
      dl.appendChild(make("dt", word("calls")));
      var dd = make("dd"), list = make("ul");
      inst.calls.forEach(function (call, i) {
        var site = call.site ? call.site.path + ":" + call.site.line + ":" + call.site.column : "?";
        var text = (i + 1) + ": " + shapes(call) + (call.training === null ? "" : ", training=" + call.training) + " " + word("at") + " ";
        var li = make("li", text);
        li.appendChild(make("code", site));
        if (call.raised) { li.appendChild(make("strong", " " + word("raised") + ": " + call.raised)); }
        list.appendChild(li);
      });
      dd.appendChild(list);
      dl.appendChild(dd);
      var flow = view.rows[row.id] || {};
      dl.appendChild(edgeList(flow.from, word("inputs from")));
      dl.appendChild(edgeList(flow.to, word("feeds")));
      card.appendChild(dl);
    }

    // 5. a link to one layer or finding: page.html#select=row-3 or #select=diag-0
    var target = /^#select=([\w-]+)$/.exec(window.location.hash || "");
    var element = target && document.getElementById(target[1]);
    if (element && byId[target[1]]) { pickRow(element); scrollToRow(element); }
    else if (element && element.classList.contains("diagnostic")) { pickDiagnostic(element); }
    else {  // the default view starts at the first finding
      var flagged = document.querySelector("#tree li.row.flagged");
      if (flagged) { scrollToRow(flagged); }
    }

    // 6. self-check: every row a diagnostic names is in the tree
    diagnostics.forEach(function (item) {
      (item.dataset.rows || "").split(" ").filter(Boolean).forEach(function (id) {
        if (!byId[id]) { throw new Error(item.id + " names a missing row " + id); }
      });
    });
    applyFilter();
    body.dataset.rows = String(rows.length);
    body.dataset.ready = "ok";
  } catch (error) {
    body.dataset.ready = "failed";
    window.layerlintRecordError(error && error.stack ? error.stack : error);
  }
  if (window.layerlintErrors.length) { body.dataset.errors = window.layerlintErrors.join("\n"); }
})();
