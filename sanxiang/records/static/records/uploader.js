/* Resumable evidence upload over the chunked API (see sanxiang/records/api.py).
 * Creates a session, sends the file in chunks with Upload-Offset, resumes after a broken
 * connection (asks the server for its offset and goes on from there), and survives a page reload:
 * the session URL is remembered per file in localStorage. */
(function () {
  "use strict";
  var CHUNK = 32 * 1024 * 1024;

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function errorText(body, fallback) {
    return body && body.error && body.error.message ? body.error.message : fallback;
  }

  function Upload(form, file) {
    this.form = form;
    this.file = file;
    this.key = "sanxiang-upload:" + form.dataset.case + ":" + file.name + ":" + file.size + ":" + file.lastModified;
    this.headers = { "X-CSRFToken": csrf(form) };
  }

  Upload.prototype.request = function (method, url, body, headers) {
    return fetch(url, { method: method, body: body, credentials: "same-origin",
                        headers: Object.assign({}, this.headers, headers || {}) });
  };

  Upload.prototype.create = function () {
    var f = this.form, file = this.file;
    var data = {
      case: Number(f.dataset.case), filename: file.name, size: file.size, content_type: file.type,
      kind: f.kind.value, description: f.description.value, device_no: f.device_no.value,
      location: f.location.value, captured_at: f.captured_at.value || null,
      secret: f.secret.checked, trade_secret: f.trade_secret.checked, privacy: f.privacy.checked
    };
    return this.request("POST", f.dataset.uploadsUrl, JSON.stringify(data), { "Content-Type": "application/json" })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error(errorText(b, "创建上传失败")); return b; }); });
  };

  Upload.prototype.offset = function (url) {
    return this.request("HEAD", url).then(function (r) {
      if (!r.ok) throw Object.assign(new Error("该上传已失效，请重新选择文件上传"), { gone: true });
      return Number(r.headers.get("Upload-Offset"));
    });
  };

  Upload.prototype.run = async function (progress) {
    var url = localStorage.getItem(this.key), offset = 0, failures = 0, response, body;
    if (url) {
      try { offset = await this.offset(url); } catch (e) { url = null; localStorage.removeItem(this.key); }
    }
    if (!url) {
      var created = await this.create();
      url = created.url;
      localStorage.setItem(this.key, url);
      // The server caps a chunk at its chunk size (plus slack): never send more than it suggests.
      if (created.chunk_size) this.chunk = Math.min(CHUNK, created.chunk_size);
    }
    for (;;) {
      progress(offset, this.file.size, failures);
      try {
        var end = Math.min(offset + (this.chunk || CHUNK), this.file.size);
        response = await this.request("PATCH", url, this.file.slice(offset, end),
          { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" });
        body = await response.json();
      } catch (networkError) {
        failures += 1;
        progress(offset, this.file.size, failures);
        await sleep(Math.min(30000, 1000 * Math.pow(2, Math.min(failures, 5))));
        try { offset = await this.offset(url); } catch (e) { if (e.gone) throw e; }
        continue;
      }
      failures = 0;
      if (response.status === 409 && body.error && body.error.expected_offset !== undefined) {
        offset = body.error.expected_offset;
        if (body.error.code === "upload_busy") await sleep(2000);
        continue;
      }
      if (!response.ok) {
        localStorage.removeItem(this.key);
        throw new Error(errorText(body, "上传失败（" + response.status + "）"));
      }
      offset = body.offset;
      if (body.status === "complete") break;
    }
    localStorage.removeItem(this.key);
    return body;
  };

  function bind(form) {
    if (form.dataset.bound) return;
    form.dataset.bound = "1";
    var bar = form.querySelector("[data-role=progress]"), status = form.querySelector("[data-role=status]");
    var error = form.querySelector("[data-role=error]"), button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = form.file.files[0];
      error.hidden = true;
      if (!file) { error.textContent = "请选择要上传的文件"; error.hidden = false; return; }
      button.disabled = true;
      bar.hidden = false;
      new Upload(form, file).run(function (done, total, failures) {
        bar.value = total ? Math.floor(done * 100 / total) : 0;
        status.textContent = (failures ? "连接中断，正在重试（第 " + failures + " 次）… " : "") +
          (done / 1048576).toFixed(1) + " / " + (total / 1048576).toFixed(1) + " MB";
      }).then(function (body) {
        status.textContent = "已保存：" + body.filename + "（SHA-256 " + body.sha256.slice(0, 16) + "…）";
        form.dispatchEvent(new CustomEvent("evidence:uploaded", { bubbles: true, detail: body }));
        setTimeout(function () { window.location.reload(); }, 800);
      }).catch(function (e) {
        error.textContent = e.message;
        error.hidden = false;
      }).finally(function () { button.disabled = false; });
    });
  }

  function scan() { document.querySelectorAll("form#chunked-upload").forEach(bind); }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:afterSwap", scan);
  scan();
})();
