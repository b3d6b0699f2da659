// Verifies, in the reader's browser, that the decision on this page is the one in the ledger:
//  1. the checkpoint note is signed by the log's Ed25519 key (C2SP signed-note) and names the
//     same tree size and root as the JSON checkpoint;
//  2. the entry's leaf hash, SHA-256(0x00 || entry), with the RFC 6962 audit path, gives that root;
//  3. the entry is the publication of this page: its published document hashes (canonical JSON,
//     SHA-256) to the content hash it commits to, and its number, party and full text are the
//     ones shown here.
// Nothing is trusted from the page's own figures except what is being checked.
(function () {
  "use strict";
  var enc = new TextEncoder();

  function hex(buf) {
    return Array.from(new Uint8Array(buf)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  function unhex(s) {
    var out = new Uint8Array(s.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
    return out;
  }
  function unb64(s) { return Uint8Array.from(atob(s.trim()), function (c) { return c.charCodeAt(0); }); }
  function concat() {
    var parts = Array.prototype.slice.call(arguments), n = 0, off = 0;
    parts.forEach(function (p) { n += p.length; });
    var out = new Uint8Array(n);
    parts.forEach(function (p) { out.set(p, off); off += p.length; });
    return out;
  }
  async function sha(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  async function getJson(url) {
    var r = await fetch(url, { credentials: "omit" });
    if (!r.ok) throw new Error("无法获取 " + url + "（HTTP " + r.status + "）");
    return r.json();
  }

  // RFC 9162 section 2.1.3.2: the root from a leaf hash and its inclusion proof.
  async function rootFromPath(index, size, leaf, path) {
    if (index >= size) throw new Error("日志序号超出树的大小");
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      var p = unhex(path[i]);
      if (sn === 0) throw new Error("证明路径过长");
      if ((fn & 1) === 1 || fn === sn) {
        r = await sha(concat(new Uint8Array([1]), p, r));
        if ((fn & 1) === 0) { while ((fn & 1) === 0 && fn !== 0) { fn >>= 1; sn >>= 1; } }
      } else {
        r = await sha(concat(new Uint8Array([1]), r, p));
      }
      fn >>= 1; sn >>= 1;
    }
    if (sn !== 0) throw new Error("证明路径过短");
    return r;
  }

  // C2SP signed note: "<body>\n— <name> <base64(key id || signature)>\n".
  async function verifyNote(cp) {
    var split = cp.note.indexOf("\n\n");
    if (split < 0) throw new Error("检查点格式错误");
    var body = cp.note.slice(0, split + 1);
    var lines = body.slice(0, -1).split("\n");
    if (lines[0] !== cp.origin || lines[1] !== String(cp.tree_size) || hex(unb64(lines[2])) !== cp.root_hash) {
      throw new Error("签名检查点与接口返回的树大小或根哈希不一致");
    }
    var pub = unb64(cp.public_key);
    var sigLines = cp.note.slice(split + 2).split("\n").filter(function (l) { return l; });
    var key;
    try {
      key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      return "unsupported";
    }
    for (var i = 0; i < sigLines.length; i++) {
      var m = /^\u2014 (\S+) (\S+)$/.exec(sigLines[i]);
      if (!m) continue;
      var blob = unb64(m[2]);
      var kid = (await sha(concat(enc.encode(m[1]), new Uint8Array([0x0a, 0x01]), pub))).slice(0, 4);
      if (hex(blob.slice(0, 4)) !== hex(kid)) continue;
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, blob.slice(4), enc.encode(body))) return "ok";
    }
    throw new Error("检查点签名无效");
  }

  // The ledger's canonical JSON: keys sorted, compact, UTF-8 (sanxiang.common.canonical).
  function canonical(value) {
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    if (value !== null && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (k) {
        return JSON.stringify(k) + ":" + canonical(value[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(value);
  }

  function text(id) { var el = document.getElementById(id); return el ? el.textContent : ""; }

  // The entry `index`, checked to be included in the tree of the signed checkpoint `cp`.
  async function included(index, cp) {
    if (index >= cp.tree_size) throw new Error("该记录尚未纳入最新的签名检查点，请稍后再核验");
    var r = await fetch("/transparency/v1/entries/" + index, { credentials: "omit" });
    if (!r.ok) throw new Error("日志条目不公开或不存在");
    var entry = unb64(await r.text());
    var leaf = await sha(concat(new Uint8Array([0]), entry));
    var proof = await getJson("/transparency/v1/proof/inclusion?index=" + index + "&tree_size=" + cp.tree_size);
    if (hex(leaf) !== proof.leaf_hash) throw new Error("日志条目内容与叶哈希不符");
    var root = await rootFromPath(index, cp.tree_size, leaf, proof.audit_path);
    if (hex(root) !== cp.root_hash) throw new Error("由包含性证明算出的根哈希与签名检查点不符");
    var logged = JSON.parse(new TextDecoder().decode(entry));
    if (logged.index !== index) throw new Error("日志条目序号不符");
    return { logged: logged, path: proof.audit_path.length };
  }

  async function verify(index, step, button) {
    var cp = await getJson("/transparency/v1/checkpoint");
    var signature = await verifyNote(cp);
    step(signature === "ok" ? "检查点签名有效（Ed25519，树大小 " + cp.tree_size + "）"
      : "浏览器不支持 Ed25519，检查点签名请用公钥离线核验");
    // Checkpoints are signed by a background job shortly after each publication.
    var got = await included(index, cp);
    var logged = got.logged;
    step("日志条目 #" + index + " 包含在签名的日志树中（审计路径 " + got.path + " 个节点）");

    if (button.dataset.mode === "notice") {
      // A corrected or withdrawn publication: the page shows the logged notice (and its reason);
      // the original publication's entry is still in the tree, with the content hash shown.
      var notice = logged.data && logged.data.notice;
      if (!notice) throw new Error("该日志条目不是公示变更记录");
      var nd = hex(await sha(enc.encode(canonical(notice))));
      if (!logged.content || logged.content.notice !== nd) throw new Error("变更记录与日志记录的哈希不符");
      if (notice.decision_number !== text("decision-number").trim() || notice.reason !== text("notice-reason").trim()) {
        throw new Error("本页显示的文号或理由与日志记录不一致");
      }
      if (notice.publication_sha256 !== text("content-hash").trim()) throw new Error("变更记录所指的原公示与本页不符");
      step("本页显示的" + (notice.event === "withdrawn" ? "撤回" : "更正") + "理由与日志记录一致（SHA-256 " + nd.slice(0, 16) + "…）");
      var first = parseInt(button.dataset.publicationIndex, 10);
      var original = await included(first, cp);
      if (!original.logged.content || original.logged.content.publication !== notice.publication_sha256) {
        throw new Error("原公示的日志条目与变更记录不符");
      }
      step("原公示日志条目 #" + first + " 仍包含在日志树中，内容哈希与变更记录一致");
      return cp;
    }

    var doc = logged.data && logged.data.publication;
    if (!doc) throw new Error("该日志条目不是公示记录");
    var digest = hex(await sha(enc.encode(canonical(doc))));
    if (!logged.content || logged.content.publication !== digest) throw new Error("公示内容与日志记录的哈希不符");
    if (digest !== text("content-hash").trim()) throw new Error("本页显示的内容哈希与日志不符");
    if (doc.decision_number !== text("decision-number").trim() || doc.party_name !== text("party-name").trim()) {
      throw new Error("本页显示的文号或当事人与日志记录不一致");
    }
    // The HTML parser turns CR LF into LF; compare line breaks the same way.
    if (doc.text.replace(/\r\n?/g, "\n") !== text("decision-text").replace(/\r\n?/g, "\n")) throw new Error("本页显示的决定书全文与日志记录不一致");
    step("本页的文号、当事人和决定书全文与日志记录一致（SHA-256 " + digest.slice(0, 16) + "…）");
    return cp;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("verify-button");
    if (!button) return;
    button.addEventListener("click", function () {
      var out = document.getElementById("verify-result"), list = document.getElementById("verify-steps");
      out.textContent = "核验中…";
      out.className = "";
      list.innerHTML = "";
      list.hidden = false;
      button.disabled = true;
      function step(msg) { var li = document.createElement("li"); li.textContent = "✓ " + msg; list.appendChild(li); }
      verify(parseInt(button.dataset.index, 10), step, button).then(function (cp) {
        out.textContent = "核验通过：本公示包含在防篡改日志中，内容未被篡改（树大小 " + cp.tree_size + "，根哈希 " + cp.root_hash.slice(0, 16) + "…）";
        out.className = "ok";
        out.dataset.verified = "true";
      }).catch(function (e) {
        out.textContent = "核验未通过：" + e.message;
        out.className = "fail";
        out.dataset.verified = "false";
      }).finally(function () { button.disabled = false; });
    });
  });
})();
