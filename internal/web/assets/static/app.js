// onboard: drag-and-drop for the upload boxes and live run progress.
"use strict";

function setupDropzones() {
  document.querySelectorAll("form[data-dropzone]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var label = form.querySelector(".drop");
    var original = label ? label.textContent : "";
    ["dragenter", "dragover"].forEach(function (ev) {
      form.addEventListener(ev, function (e) { e.preventDefault(); form.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      form.addEventListener(ev, function (e) { e.preventDefault(); form.classList.remove("over"); });
    });
    form.addEventListener("drop", function (e) {
      if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
      input.files = e.dataTransfer.files;
      form.requestSubmit();
    });
    input.addEventListener("change", function () {
      if (label && input.files.length) { label.textContent = input.files[0].name; } else if (label) { label.textContent = original; }
    });
  });
}

function words(s) {
  s = Math.round(s);
  if (s < 60) { return s + " s"; }
  return Math.floor(s / 60) + " min " + (s % 60) + " s";
}

// showVendors fills the per-system request counts under the bar.
function showVendors(vendors) {
  var list = document.getElementById("run-vendors");
  if (!list) { return; }
  var names = Object.keys(vendors).sort();
  while (list.firstChild) { list.removeChild(list.firstChild); }
  names.forEach(function (name) {
    var v = vendors[name];
    var li = document.createElement("li");
    var text = name + ": " + v.requests + (v.requests === 1 ? " request" : " requests");
    if (v.retries) { text += ", " + v.retries + " retried"; }
    if (v.throttled) { text += ", " + v.throttled + " slowed down by the vendor (429)"; }
    li.textContent = text;
    list.appendChild(li);
  });
}

function setupProgress() {
  var run = document.getElementById("run");
  if (!run || run.dataset.active !== "yes" || !window.EventSource) { return; }
  var status = document.getElementById("run-status");
  var bar = document.getElementById("run-bar");
  var es = new EventSource("/batches/" + run.dataset.batch + "/events");
  es.addEventListener("progress", function (e) {
    var p = JSON.parse(e.data);
    if (p.state === "queued") {
      status.textContent = "Waiting in the queue (position " + p.position + ")";
      return;
    }
    if (p.total > 0) { bar.max = p.total; bar.value = p.done; }
    var text = p.done + " of " + p.total + " accounts done";
    if (p.failed) { text += ", " + p.failed + " failed"; }
    if (p.eta) { text += " · about " + words(p.eta) + " left"; }
    status.textContent = p.total ? text : "Preparing…";
    showVendors(p.vendors || {});
  });
  es.addEventListener("done", function () { es.close(); window.location.reload(); });
}

document.addEventListener("DOMContentLoaded", function () {
  setupDropzones();
  setupProgress();
});
