// perbup serve: the page for auditors and drafters. Plain JS, no build step, nothing fetched from elsewhere.
"use strict";

const $ = (sel) => document.querySelector(sel);
const STATUS_ID = {
  queued: "menunggu antrean", running: "sedang berjalan", done: "selesai", failed: "gagal",
};
const VERDICT_ID = {
  violation: "pelanggaran", compliant: "patuh", cannot_determine: "tidak dapat ditentukan",
  not_applicable: "tidak berlaku", null: "tidak ada",
};
const STAGE_ID = { plan: "rencana", award: "pemenang", contract: "kontrak" };
const UNIT_ID = { ratio: "rasio (0–1; 0,40 = 40%)", idr: "rupiah", count: "jumlah", date: "tanggal" };

let token = sessionStorage.getItem("perbup-token") || "";
let selected = [];
let lastWhatIf = null;

function text(el, s) { el.textContent = s; return el; }
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (token) headers["Authorization"] = "Bearer " + token;
  const resp = await fetch(path, Object.assign({}, options, { headers }));
  if (resp.status === 401) {
    $("#token-box").hidden = false;
    throw new Error("Server meminta token akses.");
  }
  return resp;
}

async function apiJSON(path, options = {}) {
  const resp = await api(path, options);
  let body = null;
  try { body = await resp.json(); } catch (e) { body = null; }
  if (!resp.ok) {
    const err = (body && body.error) || { code: "http_" + resp.status, message: resp.statusText };
    const e = new Error(describeError(err));
    e.info = err;
    throw e;
  }
  return body;
}

function describeError(err) {
  let s = `${err.code}: ${err.message}`;
  if (err.location) s += ` (${Object.values(err.location).filter(Boolean).join(", ")})`;
  if (err.diagnostics && err.diagnostics.length) {
    s += "\n" + err.diagnostics.slice(0, 20).map((d) => {
      const loc = d.location ? `${d.location.file}:${d.location.line || ""}${d.location.column ? ":" + d.location.column : ""}: ` : "";
      return `${loc}${d.code}: ${d.message}`;
    }).join("\n");
  }
  return s;
}

function download(name, content, type) {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// --- tabs -------------------------------------------------------------------------------------
for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => {
    for (const t of document.querySelectorAll("[role=tab]")) {
      t.setAttribute("aria-selected", String(t === tab));
      $("#" + t.dataset.panel).hidden = t !== tab;
    }
  });
}

$("#token-save").addEventListener("click", () => {
  token = $("#token").value.trim();
  sessionStorage.setItem("perbup-token", token);
  $("#token-box").hidden = true;
  init();
});

// --- audit ------------------------------------------------------------------------------------
function showFiles() {
  const list = $("#file-list");
  list.replaceChildren(...selected.map((f) => el("li", {}, `${f.name} (${(f.size / 1024).toFixed(1)} KB)`)));
}

$("#files").addEventListener("change", (e) => { selected = Array.from(e.target.files); showFiles(); });
const drop = $("#drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  selected = selected.concat(Array.from(e.dataTransfer.files));
  showFiles();
});

$("#upload").addEventListener("click", async () => {
  const status = $("#audit-status");
  $("#job").hidden = false;
  $("#audit-error").hidden = true;
  $("#downloads").hidden = true;
  $("#summary").textContent = "";
  if (!selected.length) { text(status, "Pilih berkas terlebih dahulu."); return; }
  const form = new FormData();
  for (const f of selected) form.append("files", f, f.name);
  for (const f of Array.from($("#registries").files)) form.append("registries", f, f.name);
  form.append("kind", $("#kind").value);
  text(status, "Mengunggah…");
  try {
    const job = await apiJSON("/v1/audits", { method: "POST", body: form });
    watch(job.id);
  } catch (e) {
    showAuditError(e.message);
  }
});

function showAuditError(msg) {
  const box = $("#audit-error");
  box.hidden = false;
  box.textContent = msg;
  text($("#audit-status"), "Gagal.");
}

async function watch(id) {
  const status = $("#audit-status");
  for (;;) {
    let job;
    try { job = await apiJSON(`/v1/audits/${id}`); } catch (e) { showAuditError(e.message); return; }
    $("#progress").value = job.progress;
    const step = job.status === "running" && job.stage ? ` — ${job.stage}` : "";
    text(status, `Audit ${id.slice(0, 8)}: ${STATUS_ID[job.status] || job.status}${step} (${Math.round(job.progress * 100)}%)`);
    if (job.status === "done") { await showReport(job); refreshAudits(); return; }
    if (job.status === "failed") { showAuditError(describeError(job.error || { code: "failed", message: "" })); refreshAudits(); return; }
    await new Promise((r) => setTimeout(r, 700));
  }
}

async function showReport(job) {
  const t = job.summary.totals || {};
  text($("#summary"), `Pelanggaran: ${t.violation || 0} · tidak dapat ditentukan: ${t.cannot_determine || 0} · ` +
    `patuh: ${t.compliant || 0} · tidak berlaku: ${t.not_applicable || 0} · baris ditolak: ${job.summary.rejected}` +
    ` · kemitraan wajib: ${job.summary.required_partnerships}`);
  const resp = await api(`/v1/audits/${job.id}/report.html`);
  $("#report").srcdoc = await resp.text();
  const dl = $("#downloads");
  dl.hidden = false;
  for (const b of dl.querySelectorAll("button")) {
    b.onclick = async () => {
      const r = await api(`/v1/audits/${job.id}/report.${b.dataset.fmt}`);
      download(`laporan-${job.id.slice(0, 8)}.${b.dataset.fmt}`, await r.blob());
    };
  }
}

async function refreshAudits() {
  let data;
  try { data = await apiJSON("/v1/audits"); } catch (e) { return; }
  const body = $("#audits tbody");
  const datasets = $("#dataset");
  for (const o of Array.from(datasets.options)) if (o.dataset.audit) o.remove();
  body.replaceChildren(...data.audits.map((j) => {
    const del = el("button", { type: "button", class: "small" }, "Hapus");
    del.onclick = async () => { await api(`/v1/audits/${j.id}`, { method: "DELETE" }); refreshAudits(); };
    const open = el("button", { type: "button", class: "small" }, "Buka");
    open.onclick = () => { $("#job").hidden = false; watch(j.id); };
    const when = new Date(j.created * 1000).toLocaleString("id-ID");
    const v = j.summary ? j.summary.totals.violation || 0 : "–";
    return el("tr", {}, el("td", {}, when), el("td", {}, j.files.map((f) => f.name).join(", ") || j.id.slice(0, 8)),
      el("td", {}, STATUS_ID[j.status] || j.status), el("td", {}, v), el("td", {}, open, " ", del));
  }));
  for (const j of data.audits) {
    if (j.status !== "done") continue;
    const o = el("option", { value: j.id }, `Audit ${j.id.slice(0, 8)} (${new Date(j.created * 1000).toLocaleString("id-ID")})`);
    o.dataset.audit = "1";
    datasets.append(o);
  }
}

// --- drafter ------------------------------------------------------------------------------------
function shown(p, v) {
  if (v == null) return "–";
  if (p.unit === "idr" && /^[0-9]+$/.test(String(v))) return "Rp" + Number(v).toLocaleString("id-ID");
  if (p.unit === "ratio") return `${v} (${(Number(v) * 100).toLocaleString("id-ID")}%)`;
  return String(v);
}

function latest(p) {
  const vals = p.values.slice().sort((a, b) => a.from.localeCompare(b.from));
  return vals.map((v) => `${shown(p, v.value)} sejak ${v.from}`).join("; ");
}

function boundsText(p) {
  const h = p.higher_rule;
  if (!h || (h.min == null && h.max == null)) return p.basis === "draft" ? "pilihan perancang (tanpa batas)" : "–";
  const parts = [];
  if (h.min != null) parts.push(`≥ ${h.min}` + (p.unit === "idr" ? ` (${shown(p, h.min)})` : ""));
  if (h.max != null) parts.push(`≤ ${h.max}` + (p.unit === "idr" ? ` (${shown(p, h.max)})` : ""));
  return `${parts.join(" dan ")} — ${h.citation}`;
}

function outOfBounds(p, raw) {
  const h = p.higher_rule;
  if (!h || raw === "" || p.unit === "date") return false;
  const x = Number(raw.replace(",", "."));
  if (Number.isNaN(x)) return true;
  return (h.min != null && x < Number(h.min)) || (h.max != null && x > Number(h.max));
}

async function loadParams() {
  const data = await apiJSON("/v1/params");
  const body = $("#params tbody");
  body.replaceChildren(...data.params.map((p) => {
    const input = el("input", { id: `param-${p.name}`, name: p.name, inputmode: p.unit === "date" ? "text" : "decimal",
      placeholder: p.unit === "ratio" ? "mis. 0.50" : "", "aria-describedby": `bounds-${p.name}` });
    const day = el("input", { id: `date-${p.name}`, type: "date", "aria-label": `berlaku mulai untuk ${p.name}` });
    const bounds = el("td", { id: `bounds-${p.name}` }, boundsText(p));
    input.addEventListener("input", () => {
      const bad = outOfBounds(p, input.value.trim());
      input.classList.toggle("invalid", bad);
      input.title = bad ? "di luar batas hukum: akan ditandai melemahkan aturan yang lebih tinggi" : "";
    });
    return el("tr", {},
      el("td", {}, el("label", { for: `param-${p.name}` }, el("strong", {}, p.title.id)), el("br"),
        el("code", {}, p.name), " · ", UNIT_ID[p.unit] || p.unit),
      el("td", {}, latest(p)), bounds, el("td", {}, input), el("td", {}, day));
  }));
}

$("#params-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const settings = [];
  for (const input of document.querySelectorAll("#params input[name]")) {
    const v = input.value.trim().replace(",", ".");
    if (!v) continue;
    const day = $(`#date-${input.name}`).value;
    settings.push(`${input.name}=${v}${day ? "@" + day : ""}`);
  }
  const box = $("#whatif");
  box.hidden = false;
  $("#whatif-error").hidden = true;
  const status = $("#whatif-status");
  if (!settings.length) { text(status, "Isi setidaknya satu nilai baru."); return; }
  text(status, "Menjalankan pemeriksaan, skenario uji dan simulasi…");
  $("#run-whatif").disabled = true;
  try {
    const dataset = $("#dataset").value || null;
    const r = await apiJSON("/v1/what-if", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ set: settings, dataset }) });
    lastWhatIf = r;
    showWhatIf(r);
    text(status, `Selesai: ${settings.join(", ")}`);
  } catch (err) {
    const b = $("#whatif-error");
    b.hidden = false;
    b.textContent = err.message;
    text(status, "Gagal.");
  } finally {
    $("#run-whatif").disabled = false;
  }
});

function showWhatIf(r) {
  $("#whatif-warnings").replaceChildren(...r.warnings.map((w) => el("p", { class: "warning" }, "Peringatan: " + w)));
  const checks = r.check.length ? r.check.map((d) =>
    el("li", { class: d.severity }, `${d.location ? d.location.file + ":" + d.location.line + ": " : ""}${d.severity}: ${d.code}: ${d.message}`))
    : [el("li", { class: "ok" }, "Tidak ada masalah.")];
  $("#check-list").replaceChildren(...checks);
  text($("#scenario-summary"), `${r.scenarios.passed} lulus, ${r.scenarios.failed} gagal.`);
  $("#scenario-list").replaceChildren(...r.scenarios.failing.map((s) =>
    el("li", {}, el("strong", {}, s.name), el("br"), el("small", {}, s.location), el("pre", {}, s.failures.join("\n")))));
  const cmp = r.comparison;
  const moved = (k) => k.split(" -> ").map((s) => VERDICT_ID[s] || (s === "absent" ? "tidak ada" : s)).join(" → ");
  const counts = Object.entries(cmp.counts).map(([c, m]) => `${c}: ` + Object.entries(m).map(([k, n]) => `${n}× ${moved(k)}`).join(", "));
  text($("#flip-summary"), r.dataset ? (r.changes_total ? `${r.changes_total} putusan berubah; ${cmp.unchanged} tetap. ` + counts.join(" · ")
    : `Tidak ada putusan yang berubah (${cmp.unchanged} tetap).`) : "Tanpa data: tidak ada putusan yang dibandingkan.");
  $("#flips tbody").replaceChildren(...cmp.changes.map((c) => el("tr", { class: "flip" },
    el("td", {}, c.clause), el("td", {}, (cmp.names[c.subject] ? `${cmp.names[c.subject]} (${c.subject})` : c.subject || "–")),
    el("td", {}, c.period == null ? "–" : c.period), el("td", {}, STAGE_ID[c.stage] || c.stage || "–"),
    el("td", { class: "v-" + c.old }, VERDICT_ID[c.old] || c.old), el("td", { class: "v-" + c.new }, VERDICT_ID[c.new] || c.new),
    el("td", {}, `${c.old_measured ?? "–"} → ${c.new_measured ?? "–"}`),
    el("td", {}, `${c.threshold_old ?? "–"} → ${c.threshold_new ?? "–"}`))));
}

$("#dl-redline-html").addEventListener("click", () => lastWhatIf && download("redline.html", lastWhatIf.redline_html, "text/html"));
$("#dl-redline-md").addEventListener("click", () => lastWhatIf && download("redline.md", lastWhatIf.redline_md, "text/markdown"));
$("#dl-draft").addEventListener("click", () => lastWhatIf && download("params.yaml", lastWhatIf.draft_params_yaml, "text/yaml"));

async function init() {
  try {
    const h = await apiJSON("/v1/health");
    text($("#regulation"), `(${h.regulation || ""})`);
    await loadParams();
    await refreshAudits();
  } catch (e) {
    showAuditError(e.message);
  }
}
init();
