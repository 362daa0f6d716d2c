// The Fovea server's page: choose a model, drop images, see each image's top-5 classes and the
// Grad-CAM overlay of the class chosen (the predicted one first). Talks only to this server's
// /v1 routes; no external assets, no build step.
"use strict";

const $ = (sel) => document.querySelector(sel);
// files: every image given so far, so switching models classifies them again with the new one.
const state = { models: [], model: null, files: [] };

function api(model, path) {
  return "/v1/models/" + encodeURIComponent(model.name) + path;
}

// The body of a JSON answer; a refusal becomes an Error carrying the server's {"error": ...} text
// and the HTTP status.
async function json(response) {
  const body = await response.json().catch(() => ({ error: response.status + " " + response.statusText }));
  if (!response.ok) {
    const e = new Error(body.error || response.status + " " + response.statusText);
    e.status = response.status;
    throw e;
  }
  return body;
}

function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

// Why a file was not classified, in a person's words; the server's own message (written for API
// clients) stays under "Details". `unreadable`: the file itself is the problem, not the server.
function explainFailure(file, e) {
  const imageName = /\.(jpe?g|png|bmp|gif)$/i.test(file.name);
  if (file.size === 0) {
    return { unreadable: true, why: "could not be read as an image: the file is empty." };
  }
  switch (e.status) {
    case 415:
      return { unreadable: true, why: "could not be read as an image: it is not a JPEG, PNG, BMP or GIF picture"
        + (imageName ? ", even though its name says so." : ".") + " Choose a picture file instead." };
    case 400:
      return { unreadable: true, why: "could not be read as an image: it seems damaged or incomplete."
        + " If it opens on your computer, save or export it again and retry." };
    case 413:
      return { unreadable: true, why: "could not be read as an image: it is larger than this server accepts."
        + " Try a smaller copy of it." };
    case 503:
    case 504:
      return { unreadable: false, why: "was not classified: the server is busy. Try again in a moment." };
    default:
      return { unreadable: false, why: "was not classified: something went wrong on the server." };
  }
}

function status(text) { $("#status").textContent = text; }

async function loadModels() {
  const body = await json(await fetch("/v1/models"));
  state.models = body.models;
  const select = $("#model");
  select.replaceChildren(...state.models.map((m) => new Option(m.name, m.name)));
  const wanted = new URLSearchParams(location.search).get("model");
  if (wanted && state.models.some((m) => m.name === wanted)) select.value = wanted;
  chooseModel(select.value);
}

function chooseModel(name) {
  state.model = state.models.find((m) => m.name === name);
  const m = state.model;
  $("#model-info").textContent = m.file + ": " + m.input_shape.join("×") + " input, " + m.classes.length + " classes";
  const link = $("#report-link");
  link.hidden = !m.has_report;
  if (m.has_report) link.href = api(m, "/report"); else link.removeAttribute("href");
  $("#summary").hidden = true;
  document.body.dataset.model = m.name;
  $("#results").replaceChildren();
  if (state.files.length > 0) classifyAll(state.files, false);
}

async function showSummary() {
  const pre = $("#summary");
  if (!pre.hidden) { pre.hidden = true; return; }
  try {
    const body = await json(await fetch(api(state.model, "/summary")));
    pre.textContent = body.summary;
    pre.dataset.model = body.model;
    pre.hidden = false;
  } catch (e) { status("summary: " + e.message); }
}

// An image element shown only once its picture has loaded (a file the browser cannot draw
// leaves its frame empty instead of showing a broken-image icon); resolves when it loaded.
function show(img, url) {
  return new Promise((resolve, reject) => {
    img.onload = () => { img.hidden = false; resolve(); };
    img.onerror = () => { img.hidden = true; reject(new Error("the picture did not decode")); };
    img.src = url;
  });
}

function addCard(file, model) {
  const card = $("#card").content.firstElementChild.cloneNode(true);
  show(card.querySelector(".input"), URL.createObjectURL(file)).catch(() => {});
  card.querySelector(".file").textContent = file.name;
  card.dataset.model = model.name;
  $("#results").append(card);
  return card;
}

// Marks the card failed: `why` in plain words after the file's name, the server's message under Details.
function fail(card, file, why, detail) {
  card.dataset.state = "error";
  const box = card.querySelector(".error");
  const name = document.createElement("span");
  name.className = "file-name";
  name.textContent = file.name;
  box.querySelector(".why").replaceChildren(name, " " + why);
  box.querySelector(".detail").textContent = detail;
  box.hidden = false;
}

// Shows the overlay of class `index` on the card; a later click wins over an earlier one still loading.
async function explain(card, model, file, index) {
  const ticket = (Number(card.dataset.ticket) || 0) + 1;
  card.dataset.ticket = ticket;
  card.querySelectorAll(".bar").forEach((b) => b.classList.toggle("explained", Number(b.dataset.index) === index));
  const r = await fetch(api(model, "/explain?format=png&class=" + index), { method: "POST", body: file });
  if (!r.ok) await json(r);
  const blob = await r.blob();
  if (Number(card.dataset.ticket) !== ticket) return;
  const img = card.querySelector(".overlay");
  if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
  await show(img, URL.createObjectURL(blob));
  card.querySelector(".cam").textContent = "Grad-CAM: " + model.classes[index];
  card.dataset.explained = model.classes[index];
}

function bar(card, model, file, g, rank) {
  const li = document.createElement("li");
  li.className = "bar";
  li.tabIndex = 0;
  li.setAttribute("role", "button");
  li.dataset.rank = rank;
  li.dataset.index = g.index;
  li.dataset.class = g.class;
  li.title = "show where the model sees " + g.class;
  li.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
  li.querySelector(".name").textContent = g.class;
  li.querySelector(".fill").style.width = (100 * g.probability).toFixed(1) + "%";
  li.querySelector(".pct").textContent = (100 * g.probability).toFixed(1) + "%";
  const go = () => explain(card, model, file, g.index).catch((e) => fail(card, file,
    "was classified, but its Grad-CAM picture could not be made.", e.message));
  li.addEventListener("click", go);
  li.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
  return li;
}

// Classifies one file on its own card; resolves to "classified", "unreadable" or "failed".
async function classify(file, model) {
  const card = addCard(file, model);
  let top;
  try {
    const body = await json(await fetch(api(model, "/predict?top_k=" + Math.min(5, model.classes.length)),
      { method: "POST", body: file }));
    top = body.predictions[0].top;
  } catch (e) {
    const f = explainFailure(file, e);
    if (f.unreadable) card.querySelector(".images").hidden = true;
    fail(card, file, f.why, e.message);
    return f.unreadable ? "unreadable" : "failed";
  }
  card.querySelector(".bars").append(...top.map((g, i) => bar(card, model, file, g, i + 1)));
  card.dataset.predicted = top[0].class;
  try {
    await explain(card, model, file, top[0].index);
    card.dataset.state = "done";
  } catch (e) {
    fail(card, file, "was classified, but its Grad-CAM picture could not be made.", e.message);
  }
  return "classified";
}

async function classifyAll(files, remember) {
  const list = [...files];
  if (list.length === 0) return;
  if (remember) state.files.push(...list);
  const model = state.model;
  status("classifying " + plural(list.length, "image") + " with " + model.name + "…");
  const outcomes = await Promise.all(list.map((f) => classify(f, model)));
  if (state.model !== model) return;
  const count = (o) => outcomes.filter((x) => x === o).length;
  const parts = [count("classified") + " classified"];
  if (count("unreadable") > 0) parts.push(count("unreadable") + " could not be read");
  if (count("failed") > 0) parts.push(count("failed") + " not classified (see the cards)");
  status(model.name + ": " + parts.join(", "));
}

function wire() {
  $("#model").addEventListener("change", (e) => chooseModel(e.target.value));
  $("#show-summary").addEventListener("click", showSummary);
  $("#files").addEventListener("change", (e) => { classifyAll(e.target.files, true); e.target.value = ""; });
  const drop = $("#drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    classifyAll(e.dataTransfer.files, true);
  });
  loadModels().then(() => { document.body.dataset.ready = "true"; }).catch((e) => status("cannot list models: " + e.message));
}

wire();
