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
    // the layers of one module drawn top to bottom: rows by the longest path over the edges that go
    // forward in first-call order, the others (a reused layer fed again later) as dashed arcs on the right
    var SVG = "http://www.w3.org/2000/svg", NODE_W = 160, NODE_H = 28, GAP_X = 16, GAP_Y = 30, MARGIN = 10;
    var MAX_DRAWN = 40;
    function svg(tag, attrs, parent) {
      var el = document.createElementNS(SVG, tag);
      Object.keys(attrs).forEach(function (key) { el.setAttribute(key, attrs[key]); });
      if (parent) { parent.appendChild(el); }
      return el;
    }
    function flowDrawing(scope, current) {
      var members = [scope].concat(all("li.row", scope)).filter(function (r) { return view.rows[r.id]; });
      if (!members.length) { return null; }
      if (members.length > MAX_DRAWN) {
        return make("p", word("too many to draw").replace("{count}", members.length), "note");
      }
      var index = {}, level = [], slots = [], edges = [], recorded = true, guessed = true;
      members.forEach(function (row, i) { index[row.id] = i; level.push(0); });
      members.forEach(function (row, i) {
        view.rows[row.id].from.forEach(function (edge) {
          var j = index[edge[0]];
          if (j === undefined) { return; }
          edges.push({ from: j, to: i, recorded: edge[3] });
          recorded = recorded && edge[3];
          guessed = guessed && !edge[3];
          if (j < i) { level[i] = Math.max(level[i], level[j] + 1); }
        });
      });
      var slot = members.map(function (row, i) {
        slots[level[i]] = (slots[level[i]] || 0) + 1;
        return slots[level[i]] - 1;
      });
      var back = edges.filter(function (e) { return e.from >= e.to; });
      var width = Math.max.apply(null, slots) * (NODE_W + GAP_X) - GAP_X + 2 * MARGIN + back.length * 9 + 24;
      var height = slots.length * (NODE_H + GAP_Y) - GAP_Y + 2 * MARGIN;
      function x(i) { return MARGIN + slot[i] * (NODE_W + GAP_X); }
      function y(i) { return MARGIN + level[i] * (NODE_H + GAP_Y); }
      var root = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, "class": "flow-svg" });
      var marker = svg("marker", { id: "flow-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
                                   markerHeight: 7, orient: "auto-start-reverse" }, svg("defs", {}, root));
      svg("path", { d: "M0,0 L10,5 L0,10 z", "class": "flow-arrow-head" }, marker);
      var lane = 0;
      edges.forEach(function (e) {
        var d, cls = "flow-edge" + (e.recorded ? "" : " order");
        if (e.from < e.to) {
          var x1 = x(e.from) + NODE_W / 2, y1 = y(e.from) + NODE_H, x2 = x(e.to) + NODE_W / 2, y2 = y(e.to) - 2;
          var bend = Math.max(12, (y2 - y1) / 2);
          d = "M" + x1 + "," + y1 + " C" + x1 + "," + (y1 + bend) + " " + x2 + "," + (y2 - bend) + " " + x2 + "," + y2;
        } else {  // back to an earlier layer (or to itself): out right, along a lane, into its right side
          var out = Math.max(x(e.from), x(e.to)) + NODE_W + 14 + 9 * lane++;
          var sy = y(e.from) + NODE_H * 0.65, ey = y(e.to) + NODE_H * 0.35;
          d = "M" + (x(e.from) + NODE_W) + "," + sy + " C" + out + "," + sy + " " + out + "," + ey + " " +
              (x(e.to) + NODE_W + 2) + "," + ey;
          cls += " back";
        }
        svg("path", { d: d, "class": cls, "marker-end": "url(#flow-arrow)" }, root);
      });
      members.forEach(function (row, i) {
        var g = svg("g", { "class": "flow-node verdict-" + row.dataset.verdict + (row === current ? " current" : ""),
                           "data-row": row.id }, root);
        svg("title", {}, g).textContent = row.dataset.instance || "";
        svg("rect", { x: x(i), y: y(i), width: NODE_W, height: NODE_H, rx: 5 }, g);
        var label = row.querySelector(".label").textContent;
        var calls = Number(row.dataset.calls || 1) > 1 ? " \u00d7" + row.dataset.calls : "";
        if (label.length + calls.length > 20) { label = label.slice(0, 19 - calls.length) + "\u2026"; }
        svg("text", { x: x(i) + 8, y: y(i) + NODE_H / 2 + 4 }, g).textContent = label + calls;
        g.addEventListener("click", function () { pickRow(row); scrollToRow(row); });
      });
      var box = make("div", null, "flow");
      var legend = recorded ? "arrows: recorded" : guessed ? "arrows: call order" : "arrows: mixed";
      box.appendChild(make("p", word(legend), "note"));
      box.appendChild(root);
      return box;
    }
    function showFlow(card, row) {
      var scope = view.rows[row.id] && !row.classList.contains("has-children") ? parentRow(row) || row : row;
      var drawing = flowDrawing(scope, row);
      if (drawing) { card.appendChild(drawing); }
    }
    function showDetails(row) {
      var card = document.getElementById("details");
      var inst = data.instances[Number(row.dataset.index)];
      card.textContent = "";
      card.appendChild(make("h2", word("Selected layer")));
      if (!inst) {
        card.appendChild(make("p", row.querySelector(".label").textContent, "empty"));
        showFlow(card, row);
        return;
      }
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
      showFlow(card, row);
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
