'use strict';
// Helper of test/amf/NodeInterop.test.cpp: runs AMF3 codecs the project did not write and prints
// what they make of as3net's bytes in a canonical JSON form the C++ test computes too.
//
//   node decode.js ref <amf3_ref.js> <file>...      decode each file with the bench kit's codec
//   node decode.js amfjs <amfjs package dir> <file>...   decode each file with amfjs (AMF3)
//   node decode.js encode-ref <amf3_ref.js>          read JSON documents from stdin, one per line;
//                                                    for each print "<hex of ref.encode(doc)> <canonical doc>"
//
// Decoding prints one line per file, in argument order: the canonical form of the decoded value, or
// {"__error":"<message>"} when the library throws or (amfjs) leaves bytes unread.
//
// Canonical form (exactly what class Canonical in NodeInterop.test.cpp writes):
//   undefined -> {"__undefined":true}; null, booleans and strings as JSON.stringify writes them;
//   numbers as JSON.stringify writes them (ECMAScript Number::toString), except -0, NaN, Infinity
//   and -Infinity -> {"__number":"-0"} etc.;
//   Date -> {"__date":<number>}; Buffer / Uint8Array -> {"__bytes":"<lowercase hex>"};
//   Array -> [...]; other objects -> {"__class":"<name>", then the other own keys sorted by their
//   UTF-8 bytes}, "__class" only when it is a non-empty string (typed objects);
//   an object (of any kind) met again, by identity -> {"__ref":<n>}, n counting objects in the
//   order they are first written, from 0.
// The keys of the {"__..."} markers cannot clash: the corpus has no member names starting "__".
const fs = require('fs');
const path = require('path');

function utf8Compare(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function canonical(root) {
  const seen = new Map();
  const walk = (v) => {
    if (v === undefined) return '{"__undefined":true}';
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') {
      if (Object.is(v, -0)) return '{"__number":"-0"}';
      if (!Number.isFinite(v)) return '{"__number":"' + String(v) + '"}';
      return JSON.stringify(v);
    }
    if (typeof v !== 'object') throw new Error('unexpected ' + typeof v + ' in the decoded value');
    if (seen.has(v)) return '{"__ref":' + seen.get(v) + '}';
    seen.set(v, seen.size);
    if (v instanceof Date) return '{"__date":' + walk(v.getTime()) + '}';
    if (v instanceof Uint8Array) return '{"__bytes":"' + Buffer.from(v).toString('hex') + '"}';
    if (Array.isArray(v)) {
      const parts = [];
      for (let i = 0; i < v.length; i++) parts.push(walk(v[i]));
      return '[' + parts.join(',') + ']';
    }
    const parts = [];
    if (typeof v.__class === 'string' && v.__class !== '') parts.push('"__class":' + JSON.stringify(v.__class));
    const keys = Object.keys(v).filter((k) => k !== '__class').sort(utf8Compare);
    for (const k of keys) parts.push(JSON.stringify(k) + ':' + walk(v[k]));
    return '{' + parts.join(',') + '}';
  };
  return walk(root);
}

// loadRef loads amf3_ref.js as require() would, and also hands out its (unexported) Reader class,
// so that bytes it leaves unread are seen. The file itself is only read.
function loadRef(file) {
  const m = { exports: {} };
  const source = fs.readFileSync(file, 'utf8') +
    '\n;module.exports.Reader = typeof Reader === "function" ? Reader : undefined;\n';
  new Function('module', 'exports', 'require', '__filename', '__dirname', source)(
    m, m.exports, require, file, path.dirname(file));
  return m.exports;
}

function errorLine(e) {
  return JSON.stringify({ __error: String(e && e.message ? e.message : e) });
}

// amfjs reads through a stream-like object with read(n); this one also tells how much was taken.
class Source {
  constructor(b) { this.b = b; this.p = 0; }
  read(n) {
    if (n > this.b.length - this.p) return null;
    const r = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return r;
  }
}

function main() {
  const [mode, module, ...files] = process.argv.slice(2);
  if (!mode || !module) {
    process.stderr.write('usage: node decode.js ref|amfjs|encode-ref <module> [file...]\n');
    process.exit(2);
  }
  if (mode === 'encode-ref') {
    const ref = loadRef(path.resolve(module));
    const lines = fs.readFileSync(0, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const out = [];
    for (const line of lines) {
      const doc = JSON.parse(line);
      out.push(Buffer.from(ref.encode(doc)).toString('hex') + ' ' + canonical(doc));
    }
    process.stdout.write(out.join('\n') + '\n');
    return;
  }
  let decode;
  if (mode === 'ref') {
    const ref = loadRef(path.resolve(module));
    decode = (bytes) => {
      if (!ref.Reader) return ref.decode(bytes);
      const reader = new ref.Reader(bytes);
      const value = reader.value();
      if (reader.p !== bytes.length) throw new Error('read ' + reader.p + ' of ' + bytes.length + ' bytes');
      return value;
    };
  } else if (mode === 'amfjs') {
    const dir = path.resolve(module);
    const version = require(path.join(dir, 'package.json')).version;
    if (version !== '1.3.1') throw new Error('expected amfjs 1.3.1, found ' + version + ' in ' + dir);
    const amfjs = require(dir);
    decode = (bytes) => {
      const source = new Source(bytes);
      const value = new amfjs.AMFDecoder(source).decode(amfjs.AMF3);
      if (source.p !== bytes.length) throw new Error('read ' + source.p + ' of ' + bytes.length + ' bytes');
      return value;
    };
  } else {
    throw new Error('unknown mode ' + mode);
  }
  const out = [];
  for (const file of files) {
    try {
      out.push(canonical(decode(fs.readFileSync(file))));
    } catch (e) {
      out.push(errorLine(e));
    }
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
}

main();
