// The Fovea server's page: choose a model, drop images, see each image's top-5 classes and the
// Grad-CAM overlay of the class chosen (the predicted one first). Talks only to this server's
// /v1 routes; no external assets, no build step.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { models: [], model: null };

function api(path) {
  return "/v1/models/" + encodeURIComponent(state.model.name) + path;
}

async function json(response) {
  const body = await response.json().catch(() => ({ error: response.status + " " + response.statusText }));
  if (!response.ok) throw new Error(body.error || response.status + " " + response.statusText);
  return body;
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
  $("#model-info").textContent = m.input_shape.join("×") + " input, " + m.classes.length + " classes";
  const link = $("#report-link");
  link.hidden = !m.report;
  link.href = api("/report");
  $("#summary").hidden = true;
  document.body.dataset.model = m.name;
}

async function showSummary() {
  const pre = $("#summary");
  if (!pre.hidden) { pre.hidden = true; return; }
  try {
    const body = await json(await fetch(api("/summary")));
    pre.textContent = body.summary;
    pre.hidden = false;
  } catch (e) { status("summary: " + e.message); }
}

function addCard(file) {
  const card = $("#card").content.firstElementChild.cloneNode(true);
  card.querySelector(".input").src = URL.createObjectURL(file);
  card.querySelector(".file").textContent = file.name;
  $("#results").prepend(card);
  return card;
}

function fail(card, message) {
  card.dataset.state = "error";
  const p = card.querySelector(".error");
  p.textContent = message;
  p.hidden = false;
}

async function explain(card, file, classIndex) {
  card.querySelectorAll(".bar").forEach((b) => b.classList.toggle("explained", Number(b.dataset.index) === classIndex));
  const r = await fetch(api("/explain?format=png&class=" + classIndex), { method: "POST", body: file });
  if (!r.ok) throw new Error((await json(r).catch((e) => e)).message || "explain failed");
  const img = card.querySelector(".overlay");
  const done = new Promise((resolve, reject) => { img.onload = resolve; img.onerror = () => reject(new Error("overlay did not decode")); });
  if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(await r.blob());
  await done;
  card.querySelector(".cam").textContent = "Grad-CAM: " + state.model.classes[classIndex];
  card.dataset.explained = classIndex;
}

async function classify(file) {
  const card = addCard(file);
  try {
    const body = await json(await fetch(api("/predict?top_k=5"), { method: "POST", body: file }));
    const top = body.predictions[0].top;
    const bars = card.querySelector(".bars");
    top.forEach((g, i) => {
      const li = document.createElement("li");
      li.className = "bar";
      li.dataset.rank = i + 1;
      li.dataset.index = g.index;
      li.title = "show where the model sees " + g.class;
      li.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
      li.querySelector(".name").textContent = g.class;
      li.querySelector(".fill").style.width = (100 * g.probability).toFixed(1) + "%";
      li.querySelector(".pct").textContent = (100 * g.probability).toFixed(1) + "%";
      li.addEventListener("click", () => explain(card, file, g.index).catch((e) => fail(card, e.message)));
      bars.append(li);
    });
    card.dataset.predicted = top[0].class;
    await explain(card, file, top[0].index);
    card.dataset.state = "done";
  } catch (e) {
    fail(card, file.name + ": " + e.message);
  }
}

async function classifyAll(files) {
  const list = [...files];
  if (list.length === 0) return;
  status("classifying " + list.length + " image(s) with " + state.model.name + "…");
  await Promise.all(list.map(classify));
  status(list.length + " image(s) classified with " + state.model.name);
}

function wire() {
  $("#model").addEventListener("change", (e) => chooseModel(e.target.value));
  $("#show-summary").addEventListener("click", showSummary);
  $("#files").addEventListener("change", (e) => { classifyAll(e.target.files); e.target.value = ""; });
  const drop = $("#drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); classifyAll(e.dataTransfer.files); });
  loadModels().then(() => { document.body.dataset.ready = "true"; }).catch((e) => status("cannot list models: " + e.message));
}

wire();
