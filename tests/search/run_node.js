// Runs the browser search engine (assets/search-worker.js) under Node for tests and benchmarks.
// stdin: {"cmd": "tokenize", "texts": [...]}
//     or {"cmd": "search", "site": DIR, "queries": [[q, filters], ...], "page": true, "batch": N}
// stdout: JSON results. In "search" mode every query starts with a cold cache and reports the
// site-relative paths it fetched.
'use strict';
const fs = require('fs');
const path = require('path');
const repo = path.resolve(__dirname, '..', '..');
global.lunr = require(path.join(repo, 'node_modules', 'lunr'));
const S = require(path.join(repo, 'assets', 'search-worker.js'));

function main(input) {
  const req = JSON.parse(input);
  if (req.cmd === 'tokenize') {
    return Promise.resolve(req.texts.map((t) => S.tokenize(t)));
  }
  if (req.cmd === 'lunrjs') {
    // One ordinary lunr.js index over pre-tokenized fields; queries are lists of terms.
    const idx = lunr(function () {
      this.pipeline.reset();
      this.searchPipeline.reset();
      this.ref('ref');
      req.fields.forEach((f) => this.field(f));
      req.docs.forEach((d) => this.add(d));
    });
    return Promise.resolve(req.queries.map((terms) => idx.query((q) => {
      terms.forEach((t) => q.term(t, { usePipeline: false, presence: lunr.Query.presence.REQUIRED }));
    }).map((r) => [r.ref, r.score])));
  }
  if (req.cmd === 'search') {
    const out = [];
    return req.queries.reduce((p, [q, filters]) => p.then(() => {
      const fetched = [];
      const engine = new S.Engine((rel) => {
        fetched.push(rel);
        return new Promise((resolve, reject) => {
          fs.readFile(path.join(req.site, rel), 'utf8', (err, data) => (err ? reject(err) : resolve(JSON.parse(data))));
        });
      });
      if (req.batch) { engine.batchSize = req.batch; engine.maxBatches = Infinity; }
      const t0 = process.hrtime.bigint();
      return engine.search(q, filters || {}).then((result) => {
        const done = req.page ? engine.page(result, 0) : Promise.resolve(null);
        return done.then((items) => {
          out.push({
            q, hits: result.hits.map((h) => [h.n, h.score]), partial: result.partial,
            items: items, fetched, ms: Number(process.hrtime.bigint() - t0) / 1e6,
          });
        });
      });
    }), Promise.resolve()).then(() => out);
  }
  return Promise.reject(new Error('unknown cmd'));
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  main(input).then((r) => process.stdout.write(JSON.stringify(r)), (e) => {
    process.stderr.write(String(e && e.stack || e) + '\n');
    process.exit(1);
  });
});
