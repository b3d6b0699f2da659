// Verifies, in the reader's browser, that the decision on this page is the one in the ledger:
//  1. the checkpoint note is signed by the log's Ed25519 key (C2SP signed-note) and names the
//     same tree size and root as the JSON checkpoint;
//  2. the entry's leaf hash, SHA-256(0x00 || entry), with the RFC 6962 audit path, gives that root;
//  3. the entry is the publication of this page: its published document hashes (canonical JSON,
//     SHA-256) to the content hash it commits to, and its number, party and full text are the
//     ones shown here.
//  4. the keys are pinned: the log's and the witnesses' public keys come from the page footer
//     (printed there and in the README) and are remembered in localStorage; a key that changes
//     between visits fails the check, and the log key the API names must be the pinned one;
//  5. the checkpoint carries valid cosignatures (C2SP tlog-cosignature v1) of the pinned witnesses;
//  6. the checkpoint is consistent with the last one this browser verified (localStorage): an RFC
//     9162 consistency proof from that size, so a forked or rolled-back log is noticed.
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

  // RFC 9162 section 2.1.4.2: is the tree (size1, root1) a prefix of (size2, root2)?
  async function verifyConsistency(size1, size2, root1, root2, proof) {
    var path = proof.map(unhex);
    if (size1 === size2) { if (path.length || hex(root1) !== hex(root2)) throw new Error("日志分叉：同一树大小的根哈希不同"); return; }
    if (size1 === 0 || size1 > size2) throw new Error("一致性证明的树大小不正确");
    if ((size1 & (size1 - 1)) === 0) path = [root1].concat(path);
    var fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    if (!path.length) throw new Error("一致性证明为空");
    var fr = path[0], sr = path[0];
    for (var i = 1; i < path.length; i++) {
      var c = path[i];
      if (sn === 0) throw new Error("一致性证明过长");
      if ((fn & 1) === 1 || fn === sn) {
        fr = await sha(concat(new Uint8Array([1]), c, fr));
        sr = await sha(concat(new Uint8Array([1]), c, sr));
        if ((fn & 1) === 0) { while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        sr = await sha(concat(new Uint8Array([1]), sr, c));
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("一致性证明过短");
    if (hex(fr) !== hex(root1) || hex(sr) !== hex(root2)) throw new Error("日志与您上次核验时见到的检查点不一致（分叉）");
  }

  // The keys printed in the footer, remembered on first use: a later change is an alarm.
  function pinnedKeys() {
    var el = document.getElementById("transparency-keys");
    var pins = el ? JSON.parse(el.textContent) : { log: null, witnesses: [] };
    if (!pins.log) throw new Error("页面未给出日志公钥");
    var current = JSON.stringify({ log: pins.log.vkey, witnesses: pins.witnesses.map(function (w) { return w.vkey; }).sort() });
    var stored = null;
    try { stored = localStorage.getItem("sanxiang.pins"); } catch (e) { /* storage off: pins of this page only */ }
    if (stored && stored !== current) {
      var before = JSON.parse(stored);
      if (before.log !== JSON.parse(current).log) throw new Error("日志公钥与您此前核验时不同，请与 README 公布的指纹比对");
      var now = JSON.parse(current).witnesses;
      before.witnesses.forEach(function (v) {
        if (now.indexOf(v) < 0) throw new Error("见证者公钥与您此前核验时不同（" + v.split("+")[0] + "）");
      });
    }
    try { localStorage.setItem("sanxiang.pins", current); } catch (e) { /* ignore */ }
    return pins;
  }

  // C2SP tlog-cosignature v1: "— <name> base64(key id || 8-byte time || Ed25519 signature)" over
  // "cosignature/v1\ntime <t>\n" + checkpoint body; key id = SHA-256(name || 0x0A || 0x04 || key)[:4].
  async function verifyCosignatures(cp, body, witnesses) {
    var good = [];
    for (var i = 0; i < witnesses.length; i++) {
      // "<name>+<hex id>+<base64>": the base64 may itself hold "+", so split at the first two only.
      var w = witnesses[i], a = w.vkey.indexOf("+"), b = w.vkey.indexOf("+", a + 1);
      var parts = [w.vkey.slice(0, a), w.vkey.slice(a + 1, b), w.vkey.slice(b + 1)], raw = unb64(parts[2]);
      if (raw[0] !== 4 || raw.length !== 33) continue;
      var pub = raw.slice(1);
      var kid = (await sha(concat(enc.encode(w.name), new Uint8Array([0x0a, 0x04]), pub))).slice(0, 4);
      if (hex(kid) !== parts[1]) continue;
      var key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
      var lines = (cp.cosignatures || []).map(function (c) { return c.line; });
      for (var j = 0; j < lines.length; j++) {
        var m = /^\u2014 (\S+) (\S+)$/.exec(lines[j]);
        if (!m || m[1] !== w.name) continue;
        var blob = unb64(m[2]);
        if (blob.length !== 76 || hex(blob.slice(0, 4)) !== hex(kid)) continue;
        var t = 0;
        for (var k = 4; k < 12; k++) t = t * 256 + blob[k];
        var msg = concat(enc.encode("cosignature/v1\ntime " + t + "\n"), enc.encode(body));
        if (await crypto.subtle.verify({ name: "Ed25519" }, key, blob.slice(12), msg)) { good.push(w.name); break; }
      }
    }
    return good;
  }

  // The last checkpoint this browser verified, per log.
  async function checkAgainstLastSeen(cp) {
    var name = "sanxiang.seen." + cp.origin, last = null;
    try { last = JSON.parse(localStorage.getItem(name) || "null"); } catch (e) { last = null; }
    var note = null;
    if (last) {
      if (cp.tree_size < last.size) throw new Error("日志被回滚：树大小 " + cp.tree_size + " 小于您上次核验时的 " + last.size);
      var proof = { proof: [] };
      if (cp.tree_size > last.size) {
        proof = await getJson("/transparency/v1/proof/consistency?first=" + last.size + "&second=" + cp.tree_size);
      }
      await verifyConsistency(last.size, cp.tree_size, unhex(last.root), unhex(cp.root_hash), proof.proof);
      note = "与您上次核验时见到的检查点（树大小 " + last.size + "）一致，日志未分叉、未回滚";
    } else {
      note = "首次核验：已记住本检查点（树大小 " + cp.tree_size + "），下次核验时将证明日志与之一致";
    }
    try { localStorage.setItem(name, JSON.stringify({ size: cp.tree_size, root: cp.root_hash })); } catch (e) { /* ignore */ }
    return note;
  }

  // C2SP signed note: "<body>\n— <name> <base64(key id || signature)>\n".
  async function verifyNote(cp, pins) {
    var split = cp.note.indexOf("\n\n");
    if (split < 0) throw new Error("检查点格式错误");
    var body = cp.note.slice(0, split + 1);
    var lines = body.slice(0, -1).split("\n");
    if (lines[0] !== cp.origin || lines[1] !== String(cp.tree_size) || hex(unb64(lines[2])) !== cp.root_hash) {
      throw new Error("签名检查点与接口返回的树大小或根哈希不一致");
    }
    if (cp.public_key !== pins.log.key) throw new Error("接口返回的日志公钥与页面固定的公钥不同");
    var pub = unb64(pins.log.key);
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
    var pins = pinnedKeys();
    var cp = await getJson("/transparency/v1/checkpoint");
    var signature = await verifyNote(cp, pins);
    step(signature === "ok" ? "检查点签名有效（Ed25519，固定公钥 " + pins.log.fingerprint.slice(0, 16) + "…，树大小 " + cp.tree_size + "）"
      : "浏览器不支持 Ed25519，检查点签名请用公钥离线核验");
    if (pins.witnesses.length && signature === "ok") {
      var body = cp.note.slice(0, cp.note.indexOf("\n\n") + 1);
      var good = await verifyCosignatures(cp, body, pins.witnesses);
      if (!good.length) throw new Error("检查点未获任何见证者的有效联署");
      step("见证者联署有效：" + good.join("、") + "（" + good.length + "/" + pins.witnesses.length + "）");
    }
    step(await checkAgainstLastSeen(cp));
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
