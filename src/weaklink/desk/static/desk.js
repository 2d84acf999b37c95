// The desk's pages act only through the JSON API (/api/openapi.json describes it).
// Text from the server is only ever set with textContent: never parsed as HTML.
"use strict";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

async function api(method, url, body) {
  const headers = { "X-CSRF-Token": csrfToken() };
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = { error: text }; }
  if (!response.ok) throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
  return data;
}

function showError(form, error) {
  const box = form.querySelector(".error");
  if (box) { box.textContent = error.message; box.hidden = false; }
}

function busy(form, on) {
  form.querySelectorAll("button").forEach((b) => { b.disabled = on; });
  form.classList.toggle("busy", on);
}

function values(form) {
  const out = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (typeof value === "string" && value.trim() !== "") out[name] = value.trim();
  }
  return out;
}

const handlers = {
  "login-form": async (form) => {
    await api("POST", form.dataset.api, { token: form.elements.token.value });
    window.location.assign("/");
  },
  "new-case": async (form) => {
    const data = new FormData(form);
    for (const name of ["scenario"]) {
      const file = data.get(name);
      if (file && file.size === 0) data.delete(name);
    }
    const created = await api("POST", form.dataset.api, data);
    window.location.assign(created.url);
  },
  "add-note": async (form) => {
    await api("POST", form.dataset.api, { text: form.elements.text.value });
    window.location.reload();
  },
  "set-status": async (form) => {
    await api("PATCH", form.dataset.api, { status: form.elements.status.value });
    window.location.reload();
  },
  "retrace": async (form) => {
    const asked = values(form);
    await api("POST", form.dataset.api, asked);
    window.location.reload();
  },
  "delete-case": async (form) => {
    await api("DELETE", form.dataset.api);
    window.location.assign("/");
  },
  "escalate": async (form) => {
    const escalation = await api("POST", form.dataset.api, {
      run_number: Number(form.elements.run_number.value),
      share_device_ids: form.elements.share_device_ids.checked,
    });
    const link = document.createElement("a");
    link.href = escalation.download_url;
    link.download = escalation.file_name;
    link.textContent = escalation.file_name;
    link.className = "download";
    const item = document.createElement("li");
    item.appendChild(link);
    let list = form.parentElement.querySelector("ul.escalations");
    if (!list) { list = document.createElement("ul"); list.className = "escalations"; form.after(list); }
    list.appendChild(item);
    link.click();
  },
};

function wireForms() {
  for (const [id, handler] of Object.entries(handlers)) {
    const form = document.getElementById(id);
    if (!form) continue;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      busy(form, true);
      try { await handler(form); } catch (error) { showError(form, error); } finally { busy(form, false); }
    });
  }
  document.querySelectorAll('[data-action="logout"]').forEach((button) => {
    button.addEventListener("click", async () => {
      await api("DELETE", "/api/session");
      window.location.assign("/login");
    });
  });
}

function setBar(bar, fraction) {
  bar.style.width = `${Math.round(fraction * 100)}%`;
}

// While a trace runs, follow its progress through the API and show the verdict when it is done.
async function followRun() {
  const article = document.querySelector("article.case");
  if (!article) return;
  const state = article.dataset.runState;
  if (state !== "queued" && state !== "running") return;
  const progress = document.getElementById("progress");
  const bar = progress.querySelector(".bar");
  const message = progress.querySelector(".message");
  setBar(bar, Number(bar.dataset.fraction || 0));
  const url = `/api/cases/${article.dataset.case}/runs/${article.dataset.run}`;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    let run;
    try { run = await api("GET", url); } catch (_) { continue; }
    if (run.state === "done" || run.state === "failed") { window.location.reload(); return; }
    if (run.progress) {
      setBar(bar, run.progress.fraction);
      progress.setAttribute("aria-valuenow", String(Math.round(run.progress.fraction * 100)));
      message.textContent = run.progress.message;
    }
  }
}

document.addEventListener("DOMContentLoaded", () => { wireForms(); followRun(); });
