// Time the search worker's lunr scoring (rank in assets/search-worker.js) of N made-up articles
// that all match a two-term query, in batches of the worker's BATCH_SIZE (1,000), in at most its
// MAX_BATCHES (16) batches as the worker scores them, and in one:
//
//     node bench/rank_batches.js [N=100000] [rounds=2]
//
// Each batch's lunr Builder counts every article of each term again for the idf, so the number
// of batches costs time when most of a large archive matches (a query of one common character).
'use strict';
const path = require('path');
const repo = path.resolve(__dirname, '..');
global.lunr = require(path.join(repo, 'node_modules', 'lunr'));
const S = require(path.join(repo, 'assets', 'search-worker.js'));

const N = Number(process.argv[2]) || 100000;
const rounds = Number(process.argv[3]) || 2;
const meta = { fields: ['title', 'body', 'meta'], documentCount: N, fieldLengthSums: [N * 50, N * 3000, N * 60] };
const termData = new Map();
const docs = new Set();
['党', '建'].forEach((term, t) => {
  const lists = [new Map(), new Map(), new Map()];
  for (let d = 0; d < N; d++) {
    lists[1].set(d, { len: 1000 + (d * 7) % 2000, tf: 1 + (d + t) % 9, pos: [] });
    if (d % 3 === 0) lists[0].set(d, { len: 20 + d % 30, tf: 1, pos: [] });
    if (t === 0) docs.add(d);
  }
  termData.set(term, lists);
});
const clauses = [{ term: '党', fields: meta.fields, boost: 1 }, { term: '建', fields: meta.fields, boost: 1 }];

(async () => {
  for (let r = 1; r <= rounds; r++) {
    const cells = [];
    for (const size of [S.BATCH_SIZE, Math.max(S.BATCH_SIZE, Math.ceil(N / S.MAX_BATCHES)), N]) {
      const t0 = process.hrtime.bigint();
      const hits = await S.rank(meta, termData, clauses, docs, size);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      cells.push(`${Math.ceil(N / size)} batches of ${size}: ${ms.toFixed(0)} ms (${hits.length} hits)`);
    }
    console.log(`round ${r}: ${cells.join(', ')}`);
  }
})();
