/* Full-text search engine of the archive: runs in a Web Worker (and under Node for tests).
 * The tokenizer must stay identical to ycarchive/search.py; tests/test_search.py
 * runs both over the same strings. See docs/search.md for the file layout. */
(function (root) {
  'use strict';

  var HAN = '\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3ffff}';
  var WORD = '0-9a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff';
  var RUN_RE = new RegExp('([' + HAN + ']+)|([' + WORD + ']+)|[^' + HAN + WORD + ']+', 'gu');
  var WORD_CHAR = new RegExp('^[' + WORD + ']$', 'u');
  var LAST = '0123456789abcdefghijklmnopqrstuv';
  var CONT = 'ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_';
  // Frequent characters, as in ycarchive/search.py (FREQUENT): a 4-gram is indexed only where
  // its first or last three characters are all of them, and a trigram with any other
  // character lists all its positions, flagged.
  var FREQUENT = new Set(Array.from('的区社党民一动建理在作务工居治了服小员为新活实人年县基力发干业化部有不展和心组到开成村全能中大层是题个会以织群等进生队事解与设用城文道领上合家自老者委学管们主我推提下多现出地来时这引重产体愿共单强当行金方联通向志步面创持水物路众公关就式求立要过问难分协后好点记对市常海湾线色量办日机代位健导打经高保安更次精平育艺长需决前同培支效着示聚调走造乡坚月目资便修准制加升品场度感报本职让质门青优内可热程统议责国他说子也于之得天你里都而政法那去北定其军还然起种所如表外两三么只山明从又南西没此将名手最东头间无看见各十相但已些正口想第她院性战由意武使二因数样身情入原把被并利石教万知'));
  var PAGE_SIZE = 10;
  var FIRST_ITEMS = 4;

  function normalize(text) {
    return text.normalize('NFKC').toLowerCase();
  }

  /** [token, position] pairs: Han characters, their overlapping bigrams, trigrams and 4-grams,
   * Latin words. */
  function tokenize(text) {
    var tokens = [], pos = 0, m;
    var s = normalize(text);
    RUN_RE.lastIndex = 0;
    while ((m = RUN_RE.exec(s)) !== null) {
      if (m[1]) {
        var chars = Array.from(m[1]);
        for (var i = 0; i < chars.length; i++) {
          for (var size = 1; size <= 4 && i + size <= chars.length; size++) {
            tokens.push([chars.slice(i, i + size).join(''), pos + i]);
          }
        }
        pos += chars.length;
      } else {
        if (m[2]) tokens.push([m[2], pos]);
        pos += 1;
      }
    }
    return tokens;
  }

  /** Han characters, bigrams and trigrams carry only the positions where they start or end a
   * Han run. */
  function hasPositions(term) {
    return WORD_CHAR.test(term[0]) || Array.from(term).length > 3;
  }

  /** Whether characters are all frequent ones (FREQUENT). */
  function allFrequent(chars) {
    return chars.every(function (c) { return FREQUENT.has(c); });
  }

  /** A trigram with a character not in FREQUENT lists all its positions, each flagged if the
   * trigram starts or ends a Han run there. */
  function flagsPositions(term) {
    var chars = Array.from(term);
    return chars.length === 3 && !WORD_CHAR.test(chars[0]) && !allFrequent(chars);
  }

  /** The tokens a phrase is looked up by, as [term, offset, at run ends only]: words, and for
   * each run of Han characters the run itself when it is one to three characters long, else
   * the fewest terms with positions that cover it, from the left: 4-grams where they are
   * indexed (next to three frequent characters), and trigrams with a character that is not.
   * Every three characters in a row are one or the other, so such a cover always exists. A
   * 4-gram's list is close to the phrase's own hits, where a trigram of the column's
   * vocabulary (党组织, 基层治) is in most articles; positions decide adjacency. A run of one
   * to three characters next to a word or a separator must start or end a Han run in the
   * text, so run-end positions decide it. */
  function cover(tokens) {
    var picked = [], runs = [], i;
    tokens.forEach(function (t) {
      var term = t[0], p = t[1];
      if (WORD_CHAR.test(term[0])) {
        picked.push([term, p]);
      } else if (Array.from(term).length === 1) {
        var run = runs[runs.length - 1];
        if (run && run.end === p) { run.chars.push(term); run.end++; } else runs.push({ start: p, end: p + 1, chars: [term] });
      }
    });
    runs.forEach(function (run) {
      var c = run.chars, n = c.length;
      if (n <= 3) { picked.push([c.join(''), run.start, true]); return; }
      var common = [];   // trigram i is of frequent characters
      for (i = 0; i + 3 <= n; i++) common.push(allFrequent(c.slice(i, i + 3)));
      var end = 0;
      while (end < n) {   // the term that starts at or before `end` and reaches furthest
        var best = null;
        for (i = Math.max(0, end - 3); i <= end && i + 3 <= n; i++) {
          if (i + 4 <= n && (common[i] || common[i + 1]) && (!best || i + 4 > best[0] + best[1])) best = [i, 4];
          if (!common[i] && (!best || i + 3 > best[0] + best[1])) best = [i, 3];
        }
        picked.push([c.slice(best[0], best[0] + best[1]).join(''), run.start + best[0], false]);
        end = best[0] + best[1];
      }
    });
    picked.sort(function (x, y) { return x[1] - y[1]; });
    var base = picked.length ? picked[0][1] : 0;
    return picked.map(function (t) { return [t[0], t[1] - base, t[2] || false]; });
  }

  function decodeVarints(text) {
    var out = [], n = 0;
    for (var i = 0; i < text.length; i++) {
      var v = LAST.indexOf(text[i]);
      if (v >= 0) { out.push(n * 32 + v); n = 0; } else { n = n * 32 + CONT.indexOf(text[i]); }
    }
    return out;
  }

  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h;
  }

  /** Decode one field's postings: {docNumber: {len, tf, pos, edges}}. 4-grams and words list
   * every position (tf of them); Han characters, bigrams and trigrams a count, then the
   * positions at run ends; trigrams that flag their positions (`flagged`) a count, then every
   * position, each delta doubled and plus one at a run end: `edges` holds those. */
  function decodePostings(text, withPositions, flagged) {
    var v = decodeVarints(text), out = new Map(), i = 0, doc = -1;
    while (i < v.length) {
      doc += v[i];
      var len = v[i + 1], tf = v[i + 2];
      i += 3;
      var np = tf;
      if (!withPositions) np = v[i++];
      var pos = new Array(np), edges = pos;
      if (flagged) {
        edges = [];
        for (var k = 0, p = 0; k < np; k++) {
          p += v[i + k] >> 1; pos[k] = p;
          if (v[i + k] & 1) edges.push(p);
        }
      } else {
        for (var k = 0, p = 0; k < np; k++) { p += v[i + k]; pos[k] = p; }
      }
      i += np;
      out.set(doc, { len: len, tf: tf, pos: pos, edges: edges });
    }
    return out;
  }

  /** Thrown when a newer query has arrived: the older one stops before its expensive steps. */
  function Stale() {}

  /** Between a query's expensive steps, let the worker take the messages that came meanwhile
   * (a newer query makes this one stale) and stop if one did. A one-character query, the
   * first keystroke of a phrase, matches most of the archive and takes a few hundred
   * milliseconds; without these breaks the phrase's own query waited for all of it. */
  function breath(isStale) {
    if (!isStale) return Promise.resolve();
    return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(function () {
      if (isStale()) throw new Stale();
    });
  }

  /** Articles scored at a time, and at most so many batches (see rank). */
  var BATCH_SIZE = 1000;
  var MAX_BATCHES = 16;

  function Engine(fetchJSON) {
    this.fetchJSON = fetchJSON;
    this.batchSize = BATCH_SIZE;
    this.maxBatches = MAX_BATCHES;
    this.meta = null;
    this.chunks = new Map();
    this.terms = new Map();
    this.records = new Map();
    this.facets = new Map();
  }

  Engine.prototype.loadMeta = function () {
    if (!this.meta) this.meta = this.fetchJSON('search/meta.json');
    return this.meta;
  };

  function chunkFile(folder, term, count, width) {
    var hex = (fnv1a(term) % count).toString(16);
    while (hex.length < width) hex = '0' + hex;
    return 'search/' + folder + '/' + hex + '.json';
  }

  /** The chunks that may hold a term: that of the older articles (search/t/) and that of the
   * newest month's (search/r/), each if there are any. */
  Engine.prototype.chunkPaths = function (term, meta) {
    var paths = [];
    if (meta.chunks) paths.push(chunkFile('t', term, meta.chunks, meta.chunkWidth));
    if (meta.recentChunks) paths.push(chunkFile('r', term, meta.recentChunks, meta.recentWidth));
    return paths;
  };

  /** Decoded postings of a term (one Map per field), or null when it is not in the archive.
   * A query superseded while its chunks were on the way (isStale) stops before decoding them:
   * the common characters and bigrams of a phrase's first keystrokes have the longest lists.
   * The newest month's articles are numbered after all older ones, so their postings follow. */
  Engine.prototype.term = function (term, isStale) {
    var self = this;
    if (this.terms.has(term)) return Promise.resolve(this.terms.get(term));
    return this.loadMeta().then(function (meta) {
      return Promise.all(self.chunkPaths(term, meta).map(function (path) {
        if (!self.chunks.has(path)) self.chunks.set(path, self.fetchJSON(path));
        return self.chunks.get(path);
      }));
    }).then(function (chunks) {
      if (isStale && isStale()) throw new Stale();
      var decoded = null;
      chunks.forEach(function (chunk) {
        if (!Object.prototype.hasOwnProperty.call(chunk, term)) return;
        var lists = chunk[term].map(function (s) { return decodePostings(s, hasPositions(term), flagsPositions(term)); });
        if (!decoded) { decoded = lists; return; }
        lists.forEach(function (list, fi) { list.forEach(function (p, doc) { decoded[fi].set(doc, p); }); });
      });
      self.terms.set(term, decoded);
      return decoded;
    });
  };

  /** A result's display record; `later` marks one not needed for the first results on screen. */
  Engine.prototype.record = function (n, later) {
    if (!this.records.has(n)) this.records.set(n, this.fetchJSON('search/d/' + n + '.json', later ? 'low' : 'high'));
    return this.records.get(n);
  };

  Engine.prototype.facet = function (kind, value) {
    var key = kind + '-' + ('0000000' + fnv1a(value).toString(16)).slice(-8);
    var self = this;
    if (!this.facets.has(key)) {
      this.facets.set(key, this.fetchJSON('search/f/' + key + '.json').then(function (f) {
        var set = new Set(), d = -1;
        decodeVarints(f.docs).forEach(function (x) { d += x; set.add(d); });
        return set;
      }, function () { return new Set(); }));
    }
    return this.facets.get(key);
  };

  /** Parse a query with lunr's own syntax into phrases: {cover, fields, boost, prohibited}. */
  function parseQuery(q, fields) {
    var query = new lunr.Query(fields);
    try {
      new lunr.QueryParser(q, query).parse();
    } catch (e) {
      query = new lunr.Query(fields);
      q.split(/\s+/).filter(Boolean).forEach(function (t) { query.clause({ term: t }); });
    }
    var phrases = [];
    query.clauses.forEach(function (clause) {
      var toks = tokenize(clause.term);
      if (!toks.length) return;
      var c = cover(toks);
      phrases.push({
        text: normalize(clause.term).replace(/^\*+|\*+$/g, ''),
        cover: c,
        fields: clause.fields,
        boost: clause.boost,
        prohibited: clause.presence === lunr.Query.presence.PROHIBITED
      });
    });
    return phrases;
  }

  /** Each query term's lunr posting, {_index, field: {ref: …}} listing every article that has
   * it: lunr's idf counts them. Made once per query and shared by the batches' indexes. */
  function sharedPostings(meta, termData) {
    var inverted = Object.create(null), termIndex = 0, none = {};
    termData.forEach(function (lists, term) {
      var posting = { _index: termIndex++ };
      meta.fields.forEach(function (f, fi) {
        var refs = posting[f] = Object.create(null);
        lists[fi].forEach(function (p, doc) { refs[doc] = none; });
      });
      inverted[term] = posting;
    });
    return inverted;
  }

  /** Build a lunr.Index over the query's terms, with lunr.js's own Builder computing weights.
   * Only the articles in `docs` (ascending; some of those where every phrase occurs) get field
   * vectors and are in the index the query runs on: the others could not be results, and with
   * common terms they are most of the postings (at 100,000 articles the engine took 1,194 ms
   * under Node for 党组织统 with vectors for every article in its lists, 340 ms this way;
   * docs/search.md, run J). The builder's postings (`inverted`) still list every article with
   * the term, so weights and scores are those of a lunr index of the whole archive. */
  function buildIndex(meta, termData, docs, inverted) {
    var builder = new lunr.Builder();
    builder.ref('ref');
    meta.fields.forEach(function (f) { builder.field(f); });
    builder.documentCount = meta.documentCount;
    builder.averageFieldLength = Object.create(null);
    meta.fields.forEach(function (f, i) {
      builder.averageFieldLength[f] = meta.fieldLengthSums[i] / meta.documentCount;
    });
    var searched = Object.create(null);
    termData.forEach(function (lists, term) {
      var own = { _index: inverted[term]._index };
      meta.fields.forEach(function (f, fi) {
        var refs = own[f] = Object.create(null), list = lists[fi];
        docs.forEach(function (doc) {
          var p = list.get(doc);
          if (!p) return;
          var ref = String(doc), fieldRef = f + '/' + ref;
          refs[ref] = {};
          if (!builder.fieldTermFrequencies[fieldRef]) builder.fieldTermFrequencies[fieldRef] = Object.create(null);
          builder.fieldTermFrequencies[fieldRef][term] = p.tf;
          builder.fieldLengths[fieldRef] = p.len;
          builder._documents[ref] = {};
        });
      });
      searched[term] = own;
    });
    builder.invertedIndex = inverted;
    builder.termIndex = Object.keys(inverted).length;
    builder.createFieldVectors();
    builder.createTokenSet();
    return new lunr.Index({
      invertedIndex: searched,
      fieldVectors: builder.fieldVectors,
      tokenSet: builder.tokenSet,
      fields: Object.keys(builder._fields),
      pipeline: builder.searchPipeline
    });
  }

  /** Where lunr.js would list a result among equal scores: its Index.query takes the query's
   * clauses in order, each clause's fields in order, and each field's articles in ascending
   * order, and lists an article where it first meets it; then it sorts by score, stably. */
  function firstMet(doc, clauses, termData, meta) {
    for (var c = 0; c < clauses.length; c++) {
      var lists = termData.get(clauses[c].term);
      for (var j = 0; j < clauses[c].fields.length; j++) {
        if (lists[meta.fields.indexOf(clauses[c].fields[j])].has(doc)) return c * 64 + j;
      }
    }
    return Infinity;
  }

  /** Does the phrase occur (adjacent positions) in one of its fields of doc? A run of one to
   * three Han characters in a longer phrase touches a word or separator, so it starts or ends
   * a Han run: its run-end positions decide it. */
  function phraseInIndex(phrase, doc, termData, meta) {
    var fields = phrase.fields;
    for (var fi = 0; fi < meta.fields.length; fi++) {
      if (fields.indexOf(meta.fields[fi]) < 0) continue;
      var lists = phrase.cover.map(function (t) {
        var d = termData.get(t[0]);
        return d ? d[fi].get(doc) : undefined;
      });
      if (lists.some(function (p) { return !p; })) continue;
      if (phrase.cover.length === 1) return true;
      var at = lists.map(function (p, j) { return phrase.cover[j][2] ? p.edges : p.pos; });
      var first = at[0];
      for (var k = 0; k < first.length; k++) {
        var start = first[k] - phrase.cover[0][1], ok = true;
        for (var j = 1; j < lists.length && ok; j++) {
          ok = at[j].indexOf(start + phrase.cover[j][1]) >= 0;
        }
        if (ok) return true;
      }
    }
    return false;
  }

  /** Score `docs` (a Set of article numbers) for the query `clauses` ({term, fields, boost})
   * with lunr.js, and return [{n, score}] in lunr's order. A batch of articles at a time, with a
   * break between (see breath): a common character or bigram, the first keystrokes of a phrase,
   * matches most of the archive, and scoring all of it at once held the worker for up to 90 ms
   * after the next keystroke's query had arrived. Each batch's builder counts the articles of
   * every query term again for lunr's idf: with 100,000 articles matched, 100 batches took
   * 4.4-5.9 s under Node, 16 batches 3.9-5.2 s, one 3.5-4.6 s (made-up postings of two terms,
   * `node bench/rank_batches.js`, two runs of two rounds), hence at most MAX_BATCHES of them. */
  function rank(meta, termData, clauses, docs, batchSize, isStale) {
    var order = Array.from(docs).sort(function (a, b) { return a - b; });
    var inverted, scored = [];
    var chain = breath(isStale).then(function () { inverted = sharedPostings(meta, termData); });
    function scoreBatch(batch) {
      return breath(isStale).then(function () {
        buildIndex(meta, termData, batch, inverted).query(function (query) {
          clauses.forEach(function (c) {
            query.term(c.term, {
              fields: c.fields, boost: c.boost, usePipeline: false,
              presence: lunr.Query.presence.REQUIRED, wildcard: lunr.Query.wildcard.NONE
            });
          });
        }).forEach(function (r) { scored.push(r); });
      });
    }
    for (var b = 0; b < order.length; b += batchSize) chain = chain.then(scoreBatch.bind(null, order.slice(b, b + batchSize)));
    return chain.then(function () {
      var hits = scored.map(function (r) {
        var n = Number(r.ref);
        return { n: n, score: r.score, met: firstMet(n, clauses, termData, meta) };
      });
      hits.sort(function (x, y) { return y.score - x.score || x.met - y.met || x.n - y.n; });
      return hits.map(function (h) { return { n: h.n, score: h.score }; });
    });
  }

  /** Rank made-up postings once when the worker starts, so that the reader's first query does
   * not run lunr's builder and scoring as cold code: in a fresh worker in Chromium they took
   * 20-70 ms for the 700-2,400 articles of a 4-character query (docs/search.md, run O), where
   * the whole query took 10-20 ms under a warm Node. */
  function warmUp() {
    var meta = { fields: ['a', 'b'], documentCount: 3000, fieldLengthSums: [30000, 900000] };
    var termData = new Map(), docs = new Set();
    ['甲乙', '乙丙'].forEach(function (term, t) {
      var lists = [new Map(), new Map()];
      for (var d = 0; d < 2000; d++) {
        lists[d % 2].set(d + t, { len: 10 + d % 300, tf: 1 + d % 5, pos: [] });
        if (t === 0) docs.add(d);
      }
      termData.set(term, lists);
    });
    return rank(meta, termData, [{ term: '甲乙', fields: meta.fields, boost: 1 }, { term: '乙丙', fields: meta.fields, boost: 1 }],
      docs, BATCH_SIZE);
  }

  /** Run a query: {q, filters: {county, section, person, year}} -> ranked [{n, score}] and flags. */
  Engine.prototype.search = function (q, filters, isStale) {
    var self = this;
    filters = filters || {};
    return this.loadMeta().then(function (meta) {
      var phrases = parseQuery(q, meta.fields);
      var positive = phrases.filter(function (p) { return !p.prohibited; });
      if (!positive.length) return { hits: [], phrases: phrases, partial: false };
      var names = [];
      phrases.forEach(function (p) { p.cover.forEach(function (t) { if (names.indexOf(t[0]) < 0) names.push(t[0]); }); });
      return Promise.all(names.map(function (t) { return self.term(t, isStale); })).then(function (decoded) {
        return breath(isStale).then(function () { return decoded; });
      }).then(function (decoded) {
        var all = new Map(), queryTerms = new Map();
        names.forEach(function (t, i) { all.set(t, decoded[i]); });
        for (var i = 0; i < positive.length; i++) {
          for (var j = 0; j < positive[i].cover.length; j++) {
            var t = positive[i].cover[j][0];
            if (!all.get(t)) return { hits: [], phrases: phrases, partial: false };
            queryTerms.set(t, all.get(t));
          }
        }
        // Articles where every phrase occurs and no excluded one does, from those having the
        // shortest list of the query's terms.
        var rarest = null, rarestSize = Infinity;
        queryTerms.forEach(function (lists) {
          var size = lists.reduce(function (n, m) { return n + m.size; }, 0);
          if (size < rarestSize) { rarest = lists; rarestSize = size; }
        });
        var matched = new Set();
        rarest.forEach(function (m) {
          m.forEach(function (p, doc) {
            if (matched.has(doc)) return;
            for (var k = 0; k < phrases.length; k++) {
              var p2 = phrases[k];
              var inIndex = all.get(p2.cover[0][0]) ? phraseInIndex(p2, doc, all, meta) : false;
              if (p2.prohibited ? inIndex : !inIndex) return;
            }
            matched.add(doc);
          });
        });
        var clauses = [];
        positive.forEach(function (p) {
          p.cover.forEach(function (t) { clauses.push({ term: t[0], fields: p.fields, boost: p.boost }); });
        });
        var size = Math.max(self.batchSize, Math.ceil(matched.size / self.maxBatches));
        return rank(meta, queryTerms, clauses, matched, size, isStale).then(function (hits) {
          return self.applyFilters(hits, filters, meta);
        }).then(function (hits) {
          return { hits: hits, phrases: phrases, partial: false };
        });
      });
    });
  };

  Engine.prototype.applyFilters = function (hits, filters, meta) {
    var tests = [];
    if (filters.year && meta.years[filters.year]) {
      var r = meta.years[filters.year];
      tests.push(Promise.resolve(function (n) { return n >= r[0] && n < r[1]; }));
    } else if (filters.year) {
      tests.push(Promise.resolve(function () { return false; }));
    }
    [['c', filters.county], ['s', filters.section], ['p', filters.person]].forEach(function (kv) {
      if (kv[1]) tests.push(this.facet(kv[0], kv[1]).then(function (set) { return function (n) { return set.has(n); }; }));
    }, this);
    return Promise.all(tests).then(function (fns) {
      return hits.filter(function (h) { return fns.every(function (f) { return f(h.n); }); });
    });
  };

  /** Normalised text with a map back to the original string's indexes (for highlights). */
  function mapped(text) {
    var norm = '', map = [], i = 0;
    for (var ch of text) {
      var n = normalize(ch);
      for (var k = 0; k < n.length; k++) map.push(i);
      norm += n;
      i += ch.length;
    }
    map.push(text.length);
    return { norm: norm, map: map };
  }

  /** Ranges [start, end) in text where a phrase occurs (whole words at Latin ends). */
  function findRanges(text, phrases) {
    var m = mapped(text), ranges = [];
    phrases.forEach(function (p) {
      if (p.prohibited) return;
      var needles = [p.text];
      if (!p.text || m.norm.indexOf(p.text) < 0) needles = p.cover.map(function (t) { return t[0]; });
      needles.forEach(function (needle) {
        if (!needle) return;
        var from = 0, at;
        while ((at = m.norm.indexOf(needle, from)) >= 0) {
          from = at + needle.length;
          var before = m.norm[at - 1], after = m.norm[from];
          if (WORD_CHAR.test(needle[0]) && before && WORD_CHAR.test(before)) continue;
          if (WORD_CHAR.test(needle[needle.length - 1]) && after && WORD_CHAR.test(after)) continue;
          ranges.push([m.map[at], m.map[from]]);
        }
      });
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r.slice());
    });
    return merged;
  }

  /** An excerpt of about `size` characters around the first match, with match ranges. */
  function excerpt(text, phrases, size) {
    size = size || 110;
    var flat = text.replace(/\s+/g, ' ');
    var ranges = findRanges(flat, phrases);
    var start = ranges.length ? Math.max(0, ranges[0][0] - Math.floor(size / 3)) : 0;
    var end = Math.min(flat.length, start + size);
    var marks = ranges.filter(function (r) { return r[0] >= start && r[1] <= end; })
      .map(function (r) { return [r[0] - start, r[1] - start]; });
    return { text: flat.slice(start, end), marks: marks, before: start > 0, after: end < flat.length };
  }

  /** One page of display data: records with highlighted title and excerpt. */
  Engine.prototype.page = function (result, page, later) {
    var start = (page || 0) * PAGE_SIZE;
    var slice = result.hits.slice(start, start + PAGE_SIZE);
    var self = this;
    return Promise.all(slice.map(function (h) { return self.record(h.n, later); })).then(function (recs) {
      return recs.map(function (rec, i) {
        return {
          n: rec.n, score: slice[i].score, url: rec.url, date: rec.date, counties: rec.counties,
          section: rec.section, kicker: rec.kicker,
          title: { text: rec.title, marks: findRanges(rec.title, result.phrases) },
          excerpt: excerpt(rec.text, result.phrases)
        };
      });
    });
  };

  var api = {
    normalize: normalize, tokenize: tokenize, cover: cover, hasPositions: hasPositions,
    decodeVarints: decodeVarints, fnv1a: fnv1a, parseQuery: parseQuery, Engine: Engine, rank: rank,
    findRanges: findRanges, excerpt: excerpt, PAGE_SIZE: PAGE_SIZE, BATCH_SIZE: BATCH_SIZE, MAX_BATCHES: MAX_BATCHES
  };

  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else if (typeof importScripts === 'function' && typeof document === 'undefined') {
    // Web Worker: {init: {root, lunr}} once, then {id, q, filters, page} -> {id, total, items}.
    var engine = null, latest = 0;
    root.onmessage = function (event) {
      var msg = event.data;
      if (msg.init) {
        importScripts(msg.init.lunr);
        warmUp();
        var base = msg.init.root;
        // Priority: a browser opens at most six HTTP/1.1 connections to a host, and while a
        // reader types, the records of an earlier keystroke's results may hold them.
        engine = new Engine(function (path, priority) {
          return fetch(base + path, { priority: priority || 'high' }).then(function (r) {
            if (!r.ok) throw new Error(r.status + ' ' + path);
            return r.json();
          });
        });
        return;
      }
      if (msg.warm) { engine.loadMeta(); return; }
      var t0 = Date.now();
      latest = msg.id;
      var stale = function () { return msg.id !== latest; };
      engine.search(msg.q, msg.filters, stale).then(function (result) {
        if (stale()) throw new Stale();
        function post(items, final) {
          root.postMessage({
            id: msg.id, total: result.hits.length, partial: result.partial, items: items, final: final,
            page: msg.page || 0, pageSize: PAGE_SIZE, ms: Date.now() - t0
          });
        }
        if (msg.page) return engine.page(result, msg.page).then(function (items) { post(items, true); });
        // The first few results go out as soon as their records arrive; the rest of the page is
        // fetched only if no newer query came meanwhile, so that a keystroke's records do not
        // hold the connections the next keystroke's chunks need.
        return engine.page({ hits: result.hits.slice(0, FIRST_ITEMS), phrases: result.phrases }, 0).then(function (items) {
          if (stale()) throw new Stale();
          post(items, false);
          return engine.page(result, 0, true);
        }).then(function (items) { post(items, true); });
      }).catch(function (err) {
        if (err instanceof Stale) return root.postMessage({ id: msg.id, final: true, stale: true });
        root.postMessage({ id: msg.id, final: true, error: String(err && err.message || err) });
      });
    };
  }
  root.YCSearch = api;
})(typeof self !== 'undefined' ? self : this);
