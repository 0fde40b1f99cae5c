#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 3549:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Z: () => (/* binding */ writeFileAtomic)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
// Writing a file so that a reader sees the old content or the new, never half of it: the text goes
// to a temporary file next to the target, is flushed, and replaces the target by a rename. A failed
// write (a full disk) leaves the target as it was and removes the temporary file.


async function writeFileAtomic(file, text, mode = 0o644) {
    const temporary = `${file}.${process.pid}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}.tmp`;
    try {
        const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(temporary, 'wx', mode);
        try {
            await handle.writeFile(text, 'utf8');
            await handle.sync();
        }
        finally {
            await handle.close();
        }
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.chmod)(temporary, mode); // open()'s mode passes through the umask
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(temporary, file);
    }
    catch (error) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(temporary, { force: true });
        throw error;
    }
}


/***/ }),

/***/ 6228:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   A4: () => (/* binding */ worseWay),
/* harmony export */   N_: () => (/* binding */ SAMPLING_CONFIDENCE),
/* harmony export */   Ql: () => (/* binding */ mdeForRuns),
/* harmony export */   WD: () => (/* binding */ compareToBaseline),
/* harmony export */   WY: () => (/* binding */ noiseFloorFor),
/* harmony export */   kj: () => (/* binding */ isRegression)
/* harmony export */ });
/* unused harmony exports decide, describeSampling, summarizeComparisons */
/* harmony import */ var _k6_summary_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(817);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(6264);
/* harmony import */ var _metric_kind_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(694);
/* harmony import */ var _stats_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(964);
/* harmony import */ var _power_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9646);
/* harmony import */ var _sampling_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(6574);
// Compares one run's summary with the baseline, metric by metric. Pure: data in, data out.
//
// A metric regresses only when its value is worse than ALL of these limits at once:
//   - the relative tolerance around the accepted value (default 10%),
//   - the absolute noise floor around it (2 ms for times, 0.5 percentage points for ratios),
//   - and, once the history holds ≥ minHistory runs, the Student-t prediction interval of the
//     history (log scale, 99% by default), i.e. what another run of the same code would likely show,
//   - and, when the run's own sampling interval of the value is known (order statistics of its raw
//     samples for a percentile, Wilson for a rate; see sampling.ts), its optimistic end too: a p(99)
//     from 400 samples that only its top 4 requests pushed over the limit is "too thin to judge".
// Improvements are judged the same way in the other direction.






/** Confidence of the sampling bands (two-sided). */
const SAMPLING_CONFIDENCE = 0.95;
/** The noise floor of a rule in the metric's unit. */
function noiseFloorFor(rule, unit, rules) {
    if (rule.noiseFloor !== undefined)
        return rule.noiseFloor;
    if (unit === 'ms')
        return rules.noiseFloorMs;
    if (unit === 'ratio')
        return rules.noiseFloorRatio;
    return 0;
}
/**
 * The verdict for one value. Success ratios (higher-is-better values in 0..1, such as `checks`) are
 * judged on their complement, the failure ratio: a relative tolerance of 10% on 99.9% would let the
 * failures grow from 0.1% to 10%, which nobody means by "10%".
 */
function decide(input) {
    const complement = input.unit === 'ratio' && input.direction === 'higher-is-better';
    const toSpace = (v) => (complement ? 1 - v : v);
    const badIsUp = input.direction === 'lower-is-better' || complement;
    const b = toSpace(input.accepted);
    const c = toSpace(input.current);
    const history = input.history.map(toSpace);
    const enough = Math.max(2, input.minHistory);
    const { kept, dropped } = history.length >= enough ? (0,_stats_js__WEBPACK_IMPORTED_MODULE_2__/* .withoutOutliers */ .gc)(history, enough) : { kept: history, dropped: [] };
    const interval = kept.length >= enough ? (0,_stats_js__WEBPACK_IMPORTED_MODULE_2__/* .predictionInterval */ .dY)(kept, input.confidence) : undefined;
    const margin = Math.abs(b) * input.tolerance;
    // On the bad side the widest limit wins, so a regression must clear every one of them.
    const candidates = badIsUp
        ? [
            { value: b + margin, by: 'tolerance' },
            { value: b + input.noiseFloor, by: 'noise floor' },
        ]
        : [
            { value: b - margin, by: 'tolerance' },
            { value: b - input.noiseFloor, by: 'noise floor' },
        ];
    if (interval)
        candidates.push({ value: badIsUp ? interval.high : interval.low, by: 'interval' });
    const worst = candidates.reduce((a, x) => (badIsUp ? (x.value > a.value ? x : a) : x.value < a.value ? x : a));
    const betterCandidates = badIsUp ? [b - margin, b - input.noiseFloor] : [b + margin, b + input.noiseFloor];
    if (interval)
        betterCandidates.push(badIsUp ? interval.low : interval.high);
    const better = badIsUp ? Math.min(...betterCandidates) : Math.max(...betterCandidates);
    // The sampling band in the same space: its end nearest to good must clear a limit as well.
    const unbounded = badIsUp ? -Infinity : Infinity;
    const towardGood = input.sampling
        ? badIsUp
            ? complement
                ? input.sampling.high
                : input.sampling.low
            : complement
                ? input.sampling.low
                : input.sampling.high
        : c;
    const towardBad = input.sampling
        ? badIsUp
            ? complement
                ? input.sampling.low
                : input.sampling.high
            : complement
                ? input.sampling.high
                : input.sampling.low
        : c;
    const optimistic = towardGood === undefined ? unbounded : toSpace(towardGood);
    const pessimistic = towardBad === undefined ? -unbounded : toSpace(towardBad);
    let verdict = 'unchanged';
    let thin = false;
    if (badIsUp ? c > worst.value : c < worst.value) {
        if (badIsUp ? optimistic > worst.value : optimistic < worst.value)
            verdict = 'regressed';
        else
            thin = true;
    }
    else if (badIsUp ? c < better && pessimistic < better : c > better && pessimistic > better)
        verdict = 'improved';
    const back = (v) => (complement ? 1 - v : v);
    const mde = interval ? mdeInUnits(interval, input.confidence, input.unit, b, badIsUp ? 'up' : 'down') : undefined;
    let low = Math.min(back(worst.value), back(better));
    let high = Math.max(back(worst.value), back(better));
    if (input.unit !== 'none')
        low = Math.max(0, low);
    if (input.unit === 'ratio')
        high = Math.min(1, high);
    return {
        verdict,
        method: interval ? 'prediction-interval' : 'tolerance',
        band: { low, high },
        limit: back(worst.value),
        limitBy: worst.by,
        interval: interval && complement ? { ...interval, low: 1 - interval.high, high: 1 - interval.low, centre: 1 - interval.centre } : interval,
        samples: kept.length,
        outliers: dropped.length,
        ...(thin ? { thin } : {}),
        ...(mde !== undefined ? { mde } : {}),
    };
}
/**
 * The interval's MDE in the terms of `change`: on the log scale the size of a relative change in the
 * worse direction (e^MDE − 1 up, 1 − e^−MDE down); on the linear scale (a zero in the history) the
 * MDE over the accepted value. A ratio's MDE is an absolute difference (centre · (e^MDE − 1) on the
 * log scale; ratios are judged where worse is up), like its noise floor.
 */
function mdeInUnits(interval, confidence, unit, accepted, worse) {
    const mde = (0,_power_js__WEBPACK_IMPORTED_MODULE_3__/* .mdeOfInterval */ .H0)(interval, confidence);
    if (interval.scale === 'log')
        return unit === 'ratio' ? interval.centre * Math.expm1(mde) : (0,_power_js__WEBPACK_IMPORTED_MODULE_3__/* .relativeTowards */ .ny)(mde, worse);
    if (unit === 'ratio')
        return mde;
    return accepted !== 0 ? mde / Math.abs(accepted) : undefined;
}
/** "p(99) from 412 samples: −3.1/+∞ ms" — how far this run's own value could be off. */
function describeSampling(stat, current, band, unit) {
    const below = band.low === undefined ? '∞' : (0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDelta */ .CW)(Math.max(0, current - band.low), unit);
    const above = band.high === undefined ? '∞' : (0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDelta */ .CW)(Math.max(0, band.high - current), unit);
    return `${stat} from ${band.n} samples: −${below}/+${above} (${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatPercent */ .l9)(band.confidence)})`;
}
/** A rate's Wilson band from its passes/fails, when the summary has them. */
function rateBand(values, stat) {
    if (stat !== 'rate' || !values)
        return undefined;
    const passes = values.passes;
    const fails = values.fails;
    if (typeof passes !== 'number' || typeof fails !== 'number' || passes + fails <= 0)
        return undefined;
    const { low, high } = (0,_sampling_js__WEBPACK_IMPORTED_MODULE_5__/* .wilsonInterval */ .YV)(passes, passes + fails, SAMPLING_CONFIDENCE);
    return { n: passes + fails, low, high, confidence: SAMPLING_CONFIDENCE };
}
function limitText(decision, tolerance, floor, confidence, unit) {
    const by = decision.limitBy === 'tolerance'
        ? `${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatPercent */ .l9)(tolerance)} tolerance`
        : decision.limitBy === 'noise floor'
            ? `${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatSetting */ .w_)(floor, unit)} noise floor`
            : `${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatPercent */ .l9)(confidence)} interval`;
    return `limit ${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatValue */ .Fl)(decision.limit, unit)} by ${by}`;
}
function changeText(accepted, current, unit) {
    if (accepted !== 0)
        return (0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatChange */ .eD)(current / accepted - 1);
    const delta = current - accepted;
    return `${delta >= 0 ? '+' : '-'}${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDelta */ .CW)(Math.abs(delta), unit)}`;
}
/** The row of a watched statistic this run lacks: why it is missing, and how much that weighs. */
function missingComparison(rule, summary, stat, rules, base, samples) {
    const metricSummary = summary.metrics[rule.metric];
    const unit = base.unit;
    const why = metricSummary
        ? metricSummary.values[rule.stat] === undefined
            ? `this run's ${rule.metric} has no ${rule.stat}`
            : `this run's ${rule.metric} ${rule.stat} is not a number (${String(metricSummary.values[rule.stat])})`
        : `this run has no ${rule.metric}`;
    return {
        ...base,
        baseline: stat?.accepted,
        verdict: 'missing',
        method: 'none',
        samples,
        severity: rule.missing ?? rules.missing,
        note: stat
            ? `${rule.stat} missing: ${why} (baseline ${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatValue */ .Fl)(stat.accepted, unit)}, n=${samples})`
            : `${rule.stat} missing: ${why}, nor has the baseline`,
    };
}
function compareOne(rule, summary, stat, rules, sampled) {
    const metricSummary = summary.metrics[rule.metric];
    const current = (0,_k6_summary_js__WEBPACK_IMPORTED_MODULE_0__/* .readStat */ .BV)(summary, rule.metric, rule.stat);
    const { type, unit } = (0,_metric_kind_js__WEBPACK_IMPORTED_MODULE_1__/* .describeMetric */ .oz)(rule.metric, rule.stat, metricSummary, stat);
    const direction = rule.direction ?? (0,_metric_kind_js__WEBPACK_IMPORTED_MODULE_1__/* .inferDirection */ ._w)(rule.metric, rule.stat, type);
    const tolerance = rule.tolerance ?? rules.tolerance;
    const base = { metric: rule.metric, stat: rule.stat, unit, direction, tolerance };
    const history = stat ? stat.history.slice(-rules.historyLimit).map((entry) => entry.value) : [];
    if (current === undefined) {
        if (!stat && rule.origin === 'default')
            return undefined;
        return missingComparison(rule, summary, stat, rules, base, history.length);
    }
    if (!stat) {
        return {
            ...base,
            current,
            verdict: 'new',
            method: 'none',
            samples: 0,
            note: `${rule.stat} ${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatValue */ .Fl)(current, unit)}, new: no baseline yet`,
        };
    }
    const floor = noiseFloorFor(rule, unit, rules);
    const sampling = sampled ?? rateBand(metricSummary?.values, rule.stat);
    const decision = decide({
        accepted: stat.accepted,
        current,
        history,
        direction,
        unit,
        tolerance,
        noiseFloor: floor,
        confidence: rules.confidence,
        minHistory: rules.minHistory,
        sampling,
    });
    const spread = decision.interval ? ` ±${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDelta */ .CW)((decision.interval.high - decision.interval.low) / 2, unit)}` : '';
    const note = `${rule.stat} ${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatValue */ .Fl)(current, unit)} vs ${(0,_format_js__WEBPACK_IMPORTED_MODULE_4__/* .formatValue */ .Fl)(stat.accepted, unit)}${spread}, n=${decision.samples}${decision.outliers ? ` (+${decision.outliers} outlier${decision.outliers === 1 ? '' : 's'} left out)` : ''}, ` +
        `${changeText(stat.accepted, current, unit)}, ${limitText(decision, tolerance, floor, rules.confidence, unit)}` +
        (decision.thin && sampling ? `; too thin to judge: ${describeSampling(rule.stat, current, sampling, unit)}` : '');
    const comparison = {
        ...base,
        baseline: stat.accepted,
        current,
        verdict: decision.verdict,
        method: decision.method,
        band: decision.band,
        limitBy: decision.limitBy,
        samples: decision.samples,
        note,
    };
    if (sampling)
        comparison.sampling = sampling;
    if (decision.thin)
        comparison.thin = true;
    if (decision.mde !== undefined && decision.interval) {
        comparison.mde = decision.mde;
        comparison.mdeBasis = {
            source: 'history',
            spread: decision.interval.spread,
            scale: decision.interval.scale,
            alpha: 1 - rules.confidence,
            power: _power_js__WEBPACK_IMPORTED_MODULE_3__/* .MDE_POWER */ .FK,
        };
    }
    if (stat.accepted !== 0)
        comparison.change = current / stat.accepted - 1;
    return comparison;
}
/**
 * A history row's MDE at another power per run. Confirmation reruns call a regression only when
 * every one of `runs` runs sees it; runs of one job that compare with one history are positively
 * associated, so a power of MDE_POWER^(1/runs) per run keeps the whole at MDE_POWER or above (with
 * independent runs exactly MDE_POWER). Rows without a history basis are returned as they are.
 */
function mdeForRuns(row, runs) {
    const basis = row.mdeBasis;
    if (!basis || row.mde === undefined || runs <= 1 || row.samples < 2)
        return row;
    const power = _power_js__WEBPACK_IMPORTED_MODULE_3__/* .MDE_POWER */ .FK ** (1 / runs);
    const before = (0,_power_js__WEBPACK_IMPORTED_MODULE_3__/* .mdeHistory */ .bb)(basis.spread, row.samples, { alpha: basis.alpha, power: basis.power });
    const after = (0,_power_js__WEBPACK_IMPORTED_MODULE_3__/* .mdeHistory */ .bb)(basis.spread, row.samples, { alpha: basis.alpha, power });
    // Every conversion of mdeInUnits is a fixed factor times the relative change (log scale; ratios
    // are worse up) or times the MDE itself (linear).
    const worse = row.unit === 'ratio' ? 'up' : worseWay(row.direction);
    const scale = basis.scale === 'log' ? (0,_power_js__WEBPACK_IMPORTED_MODULE_3__/* .relativeTowards */ .ny)(after, worse) / (0,_power_js__WEBPACK_IMPORTED_MODULE_3__/* .relativeTowards */ .ny)(before, worse) : after / before;
    return { ...row, mde: before > 0 ? row.mde * scale : row.mde, mdeBasis: { ...basis, power } };
}
/** Which way a value moves when it gets worse. */
function worseWay(direction) {
    return direction === 'lower-is-better' ? 'up' : 'down';
}
/** Every watched metric of one scenario run compared with the baseline entry under `key`. */
function compareToBaseline(input) {
    const scenario = input.baseline?.scenarios[input.key];
    const out = [];
    for (const rule of input.rules.watch) {
        const comparison = compareOne(rule, input.summary, scenario?.metrics[rule.metric]?.[rule.stat], input.rules, input.sampling?.[rule.metric]?.[rule.stat]);
        if (comparison)
            out.push(comparison);
    }
    return out;
}
/** A comparison that should fail a gate set to fail on regressions. */
function isRegression(comparison) {
    return comparison.verdict === 'regressed' || (comparison.verdict === 'missing' && comparison.severity === 'error');
}
/** Counts per verdict plus the number of comparisons that count as regressions (see isRegression). */
function summarizeComparisons(comparisons) {
    const counts = { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0, new: 0, missing: 0, regressions: 0 };
    for (const c of comparisons) {
        counts[c.verdict]++;
        if (isRegression(c))
            counts.regressions++;
    }
    return counts;
}


/***/ }),

/***/ 8860:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   fg: () => (/* binding */ splitBaselineKey),
/* harmony export */   ky: () => (/* binding */ serializeBaseline),
/* harmony export */   nk: () => (/* binding */ parseBaseline),
/* harmony export */   oU: () => (/* binding */ loadBaseline),
/* harmony export */   s$: () => (/* binding */ BaselineError),
/* harmony export */   x2: () => (/* binding */ baselineKey)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3916);
/* harmony import */ var _config_file_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(4660);
/* harmony import */ var _json_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(8301);
/* harmony import */ var _json_path_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7425);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(6264);
/* harmony import */ var _metric_kind_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(694);
/* harmony import */ var _stats_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(964);
// Baseline file format v1 (docs/adr/0001-baseline-format.md, schemas/baseline.schema.json).
// The file lives in the user's repository, so it is validated — its shape against the schema
// (baseline/schema.ts), the rest here — with messages that name the JSON path and the expected
// form, and written with a fixed layout so that updates diff well.









class BaselineError extends _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ExpectedError */ .Dh {
    constructor(message, options) {
        super(message, options);
        this.name = 'BaselineError';
    }
}
/**
 * The baseline key of one scenario's history (docs/adr/0002-baseline-environment-key.md):
 * `scenario`, `scenario@profile`, and with a named environment `scenario@profile@environment`
 * (`scenario@@environment` when there is no profile). Staging and production never share a key.
 */
function baselineKey(parts) {
    // GitHub environment names may hold spaces; a key part holds neither spaces nor "@".
    const part = (text) => (text ? text.trim().replace(/[\s@]+/g, '-') : undefined) || undefined;
    const profile = part(parts.profile);
    const environment = part(parts.environment);
    if (environment !== undefined)
        return `${parts.scenario}@${profile ?? ''}@${environment}`;
    return profile !== undefined ? `${parts.scenario}@${profile}` : parts.scenario;
}
/** The parts of a key made by baselineKey. */
function splitBaselineKey(key) {
    const [scenario, profile, environment] = key.split('@');
    const out = { scenario };
    if (profile)
        out.profile = profile;
    if (environment)
        out.environment = environment;
    return out;
}
/** Relative difference under which `accepted` still counts as the median of its history (rounding). */
const ACCEPTED_SLACK = 1e-3;
/**
 * The checks a JSON schema cannot state, on a file whose shape is valid: each key names its own
 * scenario, values fit their unit, dates exist, a trend row has no more values than columns, and
 * `accepted` is the median of its history.
 */
class Semantics {
    source;
    constructor(source) {
        this.source = source;
    }
    fail(where, value, expected) {
        throw new BaselineError(`${this.source}: ${where} is ${(0,_json_path_js__WEBPACK_IMPORTED_MODULE_5__/* .quote */ .h)(value)}; expected ${expected}`);
    }
    /**
     * A measured value in the range its unit allows. A unit guessed from the names (a file without
     * `unit` or `type`) cannot tell a ratio from a counter's rate, so then only "≥ 0" is checked.
     */
    measured(n, where, unit, guessed) {
        if (unit === 'ratio' && !guessed && (n < 0 || n > 1))
            this.fail(where, n, 'a ratio from 0 to 1 (this stat is a rate)');
        if (unit !== 'none' && n < 0)
            this.fail(where, n, `a value ≥ 0 (its unit is ${unit})`);
    }
    date(value, where) {
        if (Number.isNaN(Date.parse(value)))
            this.fail(where, value, 'an ISO 8601 date-time such as "2025-01-31T12:00:00Z"');
    }
    stat(stat, where, metric, statName) {
        // A Trend's `count` is a number of values, never a time (files written before this was fixed said ms).
        if (statName === 'count' && stat.type === 'trend' && stat.unit === 'ms')
            stat.unit = 'count';
        // Files without type or unit (written before they were recorded) get the unit the gate would use.
        const unit = stat.unit ?? (0,_metric_kind_js__WEBPACK_IMPORTED_MODULE_4__/* .describeMetric */ .oz)(metric, statName, undefined, { type: stat.type }).unit;
        const guessed = stat.unit === undefined && stat.type === undefined;
        stat.history ??= [];
        this.measured(stat.accepted, `${where}.accepted`, unit, guessed);
        stat.history.forEach((entry, i) => {
            this.measured(entry.value, `${where}.history[${i}].value`, unit, guessed);
            this.date(entry.date, `${where}.history[${i}].date`);
        });
        if (stat.history.length > 0) {
            const middle = (0,_stats_js__WEBPACK_IMPORTED_MODULE_6__/* .median */ .JZ)(stat.history.map((entry) => entry.value));
            if (Math.abs(stat.accepted - middle) > ACCEPTED_SLACK * Math.max(Math.abs(middle), Math.abs(stat.accepted), 1e-9)) {
                this.fail(`${where}.accepted`, stat.accepted, `the median of its history (${(0,_format_js__WEBPACK_IMPORTED_MODULE_7__/* .formatValue */ .Fl)(middle, unit)} from ${stat.history.length} run(s)): k6-gate compares with that median, and an accepted value that differs would hide or invent regressions. Set it to ${middle}, or remove the history to set accepted by hand`);
            }
        }
    }
    scenario(key, scenario, where) {
        const expectedKey = baselineKey(scenario);
        if (expectedKey !== key) {
            throw new BaselineError(`${this.source}: ${where} holds scenario ${JSON.stringify(scenario.scenario)}${scenario.profile === undefined ? '' : ` with profile ${JSON.stringify(scenario.profile)}`}${scenario.environment === undefined ? '' : ` in environment ${JSON.stringify(scenario.environment)}`}; expected its key to be ${JSON.stringify(expectedKey)}`);
        }
        if (scenario.updatedAt !== undefined)
            this.date(scenario.updatedAt, `${where}.updatedAt`);
        for (const [metric, stats] of Object.entries(scenario.metrics)) {
            for (const [statName, stat] of Object.entries(stats))
                this.stat(stat, (0,_json_path_js__WEBPACK_IMPORTED_MODULE_5__/* .child */ .j)((0,_json_path_js__WEBPACK_IMPORTED_MODULE_5__/* .child */ .j)(`${where}.metrics`, metric), statName), metric, statName);
        }
        if (scenario.trend) {
            const { stats, runs } = scenario.trend;
            runs.forEach((run, i) => {
                const at = `${where}.trend.runs[${i}]`;
                if (run.values.length > stats.length)
                    this.fail(`${at}.values`, run.values, `a list of at most ${stats.length} numbers (or null), one per stat`);
                this.date(run.date, `${at}.date`);
            });
        }
    }
}
/**
 * Parses and validates baseline text; `source` names the file in error messages. The shape is
 * checked against schemas/baseline.schema.json (baseline/schema.ts, loaded here on first use), the
 * rest by Semantics. A UTF-8 byte order mark (some Windows editors write one) is skipped.
 */
async function parseBaseline(text, source) {
    const body = (0,_config_file_js__WEBPACK_IMPORTED_MODULE_3__/* .withoutByteOrderMark */ .Yi)(text);
    let data;
    try {
        data = JSON.parse(body);
    }
    catch (error) {
        throw new BaselineError(`${source} is not valid JSON (${(0,_config_file_js__WEBPACK_IMPORTED_MODULE_3__/* .jsonSyntaxProblem */ .F1)(error, body)}); expected a k6-gate baseline (format v1)`, {
            cause: error,
        });
    }
    const { baselineShapeProblem } = await __nccwpck_require__.e(/* import() */ 341).then(__nccwpck_require__.bind(__nccwpck_require__, 2341));
    const problem = baselineShapeProblem(data);
    if (problem !== undefined)
        throw new BaselineError(`${source}: ${problem}`);
    const baseline = data;
    const check = new Semantics(source);
    if (baseline.updatedAt !== undefined)
        check.date(baseline.updatedAt, '$.updatedAt');
    for (const [key, scenario] of Object.entries(baseline.scenarios))
        check.scenario(key, scenario, (0,_json_path_js__WEBPACK_IMPORTED_MODULE_5__/* .child */ .j)('$.scenarios', key));
    return baseline;
}
function entryLine(entry) {
    const fields = [
        ['value', entry.value],
        ['date', entry.date],
        ['k6Version', entry.k6Version],
        ['commit', entry.commit],
        ['ref', entry.ref],
    ];
    const parts = fields.filter(([, value]) => value !== undefined).map(([name, value]) => `"${name}": ${JSON.stringify(value)}`);
    return `{ ${parts.join(', ')} }`;
}
/**
 * Fixed layout: keys in a fixed order (scenarios, metrics and stats sorted by name), two-space
 * indentation, one history entry per line (an update then shows as one added and one dropped line
 * per stat), trailing newline.
 */
function serializeBaseline(baseline) {
    const lines = ['{'];
    const top = [];
    if (baseline.$schema !== undefined)
        top.push(`  "$schema": ${JSON.stringify(baseline.$schema)}`);
    top.push(`  "version": ${baseline.version}`);
    if (baseline.updatedAt !== undefined)
        top.push(`  "updatedAt": ${JSON.stringify(baseline.updatedAt)}`);
    const keys = Object.keys(baseline.scenarios).sort(_json_js__WEBPACK_IMPORTED_MODULE_8__/* .compareCodeUnits */ .U);
    if (keys.length === 0) {
        top.push('  "scenarios": {}');
    }
    else {
        const scenarioBlocks = keys.map((key) => {
            const scenario = baseline.scenarios[key];
            const fields = [`      "scenario": ${JSON.stringify(scenario.scenario)}`];
            if (scenario.profile !== undefined)
                fields.push(`      "profile": ${JSON.stringify(scenario.profile)}`);
            if (scenario.environment !== undefined)
                fields.push(`      "environment": ${JSON.stringify(scenario.environment)}`);
            if (scenario.updatedAt !== undefined)
                fields.push(`      "updatedAt": ${JSON.stringify(scenario.updatedAt)}`);
            if (scenario.executorModel !== undefined)
                fields.push(`      "executorModel": ${JSON.stringify(scenario.executorModel)}`);
            const metricNames = Object.keys(scenario.metrics).sort(_json_js__WEBPACK_IMPORTED_MODULE_8__/* .compareCodeUnits */ .U);
            if (metricNames.length === 0) {
                fields.push('      "metrics": {}');
            }
            else {
                const metricBlocks = metricNames.map((metric) => {
                    const stats = scenario.metrics[metric];
                    const statBlocks = Object.keys(stats)
                        .sort(_json_js__WEBPACK_IMPORTED_MODULE_8__/* .compareCodeUnits */ .U)
                        .map((stat) => {
                        const s = stats[stat];
                        const statFields = [`            "accepted": ${JSON.stringify(s.accepted)}`];
                        if (s.type !== undefined)
                            statFields.push(`            "type": ${JSON.stringify(s.type)}`);
                        if (s.unit !== undefined)
                            statFields.push(`            "unit": ${JSON.stringify(s.unit)}`);
                        if (s.history.length === 0)
                            statFields.push('            "history": []');
                        else
                            statFields.push(`            "history": [\n${s.history.map((e) => `              ${entryLine(e)}`).join(',\n')}\n            ]`);
                        return `          ${JSON.stringify(stat)}: {\n${statFields.join(',\n')}\n          }`;
                    });
                    return `        ${JSON.stringify(metric)}: {\n${statBlocks.join(',\n')}\n        }`;
                });
                fields.push(`      "metrics": {\n${metricBlocks.join(',\n')}\n      }`);
            }
            if (scenario.endpoints !== undefined) {
                // One endpoint per line, sorted: an update changes only the lines of endpoints that moved.
                const rows = Object.keys(scenario.endpoints)
                    .sort(_json_js__WEBPACK_IMPORTED_MODULE_8__/* .compareCodeUnits */ .U)
                    .map((name) => `        ${JSON.stringify(name)}: ${JSON.stringify(scenario.endpoints[name]).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/^\{/, '{ ').replace(/\}$/, ' }')}`);
                fields.push(rows.length ? `      "endpoints": {\n${rows.join(',\n')}\n      }` : '      "endpoints": {}');
            }
            if (scenario.trend !== undefined) {
                // One run per line: an update adds one line and drops the oldest.
                const runs = scenario.trend.runs.map((run) => `          ${JSON.stringify(run)}`);
                fields.push(`      "trend": {\n        "stats": ${JSON.stringify(scenario.trend.stats)},\n        "runs": ${runs.length ? `[\n${runs.join(',\n')}\n        ]` : '[]'}\n      }`);
            }
            return `    ${JSON.stringify(key)}: {\n${fields.join(',\n')}\n    }`;
        });
        top.push(`  "scenarios": {\n${scenarioBlocks.join(',\n')}\n  }`);
    }
    lines.push(top.join(',\n'));
    lines.push('}');
    return `${lines.join('\n')}\n`;
}
/** Reads and validates the baseline file; undefined when it does not exist yet (first run). */
async function loadBaseline(file) {
    let text;
    try {
        text = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(file, 'utf8');
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return undefined;
        throw new BaselineError(`baseline ${file} cannot be read: ${error.message}`, { cause: error });
    }
    return parseBaseline(text, node_path__WEBPACK_IMPORTED_MODULE_1___default().basename(file));
}


/***/ }),

/***/ 7425:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   h: () => (/* binding */ quote),
/* harmony export */   j: () => (/* binding */ child)
/* harmony export */ });
// How a place in the baseline file and the value found there are named in an error message:
// `$.scenarios["smoke"].metrics["http_req_duration"]["p(95)"].accepted is "12ms"`. Shared by the
// schema check (baseline/schema.ts) and the checks the schema cannot state (baseline/format.ts).
//
// A value is quoted only as a short excerpt: the file may not be what it claims (a link to a file
// of secrets), so a long string shows its first characters and its length, never its whole text.
/** Strings up to this length are quoted whole: a unit, a type, a short typo. */
const WHOLE_STRING = 12;
/** A value as an error message shows it: `12`, `"ms"`, `"2025…" (24 characters)`, `an object`, `missing`. */
function quote(value) {
    if (value === undefined)
        return 'missing';
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'an array';
    if (typeof value === 'object')
        return 'an object';
    if (typeof value === 'string') {
        const characters = [...value];
        if (characters.length <= WHOLE_STRING)
            return JSON.stringify(value);
        return `${JSON.stringify(characters.slice(0, 4).join(''))}… (${characters.length} characters)`;
    }
    return String(value);
}
/** `$.scenarios` + `smoke` → `$.scenarios["smoke"]`: brackets always, since keys hold `@`, `{`, `(`. */
function child(where, name) {
    return `${where}[${JSON.stringify(name)}]`;
}


/***/ }),

/***/ 9646:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   FK: () => (/* binding */ MDE_POWER),
/* harmony export */   H0: () => (/* binding */ mdeOfInterval),
/* harmony export */   K5: () => (/* binding */ mdeUnlimitedHistory),
/* harmony export */   O: () => (/* binding */ HISTORY_SEARCH_LIMIT),
/* harmony export */   bb: () => (/* binding */ mdeHistory),
/* harmony export */   cx: () => (/* binding */ logRatioTowards),
/* harmony export */   iM: () => (/* binding */ historyRunsFor),
/* harmony export */   nv: () => (/* binding */ minimumDetectableEffect),
/* harmony export */   ny: () => (/* binding */ relativeTowards)
/* harmony export */ });
/* unused harmony exports mdeTwoGroups, mdePaired, relative */
/* harmony import */ var _sampling_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6574);
/* harmony import */ var _stats_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(964);
// The smallest change a comparison can see (minimum detectable effect, MDE): for a two-sided test at
// level α with power 1 − β, a true effect Δ is found with probability 1 − β when
// Δ ≥ (z₁₋α/₂ + z₁₋β) · SE, SE being the standard error of the compared estimate. Pure.
//
// - Two independent groups of n each, noise σ per observation: SE = σ·√(2/n).
// - n paired observations (A and B measured together, e.g. the windows of a duet): the pair's
//   difference carries the noise, SE = σ_d·√(1/n) with σ_d the standard deviation of the paired
//   differences. When A and B share most of their noise (same machine, same seconds), σ_d is far
//   below σ·√2, which is the whole point of pairing. With autocorrelated pairs the SE comes from
//   the block bootstrap instead (src/verdict/duet/decision.ts); `standardError` takes it as is.
// - History mode compares ONE new run with n earlier ones: the difference of a new value and the
//   history's mean has SE = s·√(1 + 1/n) (the prediction interval's width), and with s estimated
//   from n values the first quantile is Student's t with n − 1 degrees of freedom.
// On log values (latencies: multiplicative noise) the MDE is a log-ratio; `relative` turns it into
// a change (e^MDE − 1).


/** The power every MDE k6-gate reports is computed at: a change of exactly the MDE is found 4 times in 5. */
const MDE_POWER = 0.8;
function checkLevels(alpha, power) {
    if (!(alpha > 0 && alpha < 1))
        throw new RangeError(`alpha ${alpha}; expected a number strictly between 0 and 1, e.g. 0.05`);
    if (!(power > 0 && power < 1))
        throw new RangeError(`power ${power}; expected a number strictly between 0 and 1, e.g. 0.8`);
}
/** (q₁₋α/₂ + z₁₋β) · SE, q being z, or Student's t when `df` is given. */
function minimumDetectableEffect(standardError, options = {}) {
    const alpha = options.alpha ?? 0.05;
    const power = options.power ?? MDE_POWER;
    checkLevels(alpha, power);
    const first = options.df !== undefined ? (0,_stats_js__WEBPACK_IMPORTED_MODULE_0__/* .studentTQuantile */ .$J)(1 - alpha / 2, options.df) : (0,_sampling_js__WEBPACK_IMPORTED_MODULE_1__/* .normalQuantile */ .Zl)(1 - alpha / 2);
    return (first + (0,_sampling_js__WEBPACK_IMPORTED_MODULE_1__/* .normalQuantile */ .Zl)(power)) * standardError;
}
/** MDE of a difference of two independent means of n observations each, noise σ: SE = σ·√(2/n). */
function mdeTwoGroups(sigma, n, options = {}) {
    if (!(n > 0))
        throw new RangeError(`n ${n}; expected a positive count`);
    return minimumDetectableEffect(sigma * Math.sqrt(2 / n), options);
}
/** MDE of the mean of n paired differences whose standard deviation is σ_d: SE = σ_d·√(1/n). */
function mdePaired(sigmaDifferences, n, options = {}) {
    if (!(n > 0))
        throw new RangeError(`n ${n}; expected a positive count`);
    return minimumDetectableEffect(sigmaDifferences / Math.sqrt(n), options);
}
/**
 * MDE of history mode: one new run against a history of n runs with spread s (standard deviation,
 * of log values for latencies): SE = s·√(1 + 1/n), t with n − 1 degrees of freedom.
 */
function mdeHistory(spread, n, options = {}) {
    if (!(n >= 2))
        throw new RangeError(`a history of ${n} runs; expected at least 2`);
    return minimumDetectableEffect((0,_stats_js__WEBPACK_IMPORTED_MODULE_0__/* .predictionStandardError */ .nx)(spread, n), { ...options, df: n - 1 });
}
/**
 * The MDE of a decision by a prediction interval at `confidence` (two-sided α = 1 − confidence): the
 * interval's own standard error and degrees of freedom, so the MDE and the limit the verdict used
 * cannot disagree. In the interval's scale (a log-ratio on the log scale).
 */
function mdeOfInterval(interval, confidence, power = MDE_POWER) {
    return minimumDetectableEffect(interval.standardError, { alpha: 1 - confidence, power, df: interval.n - 1 });
}
/**
 * The best a history of such runs could ever do: with n → ∞ the mean and s are known exactly, t
 * becomes z and √(1 + 1/n) becomes 1, so (z₁₋α/₂ + z₁₋β)·s. More history cannot go below it.
 */
function mdeUnlimitedHistory(spread, options = {}) {
    return minimumDetectableEffect(spread, options);
}
/** The most runs of history historyRunsFor considers: the largest `history-limit` there is. */
const HISTORY_SEARCH_LIMIT = 1000;
/**
 * The fewest runs of history at this spread whose MDE is at most `target` (same scale), or undefined
 * when no history can reach it (the target is at or below mdeUnlimitedHistory) or it takes more than
 * `most` runs.
 */
function historyRunsFor(target, spread, options = {}, most = HISTORY_SEARCH_LIMIT) {
    if (!(target > mdeUnlimitedHistory(spread, options)))
        return undefined;
    // The MDE falls monotonically with n: bisect for the first n at or under the target.
    if (mdeHistory(spread, most, options) > target)
        return undefined;
    let low = 2;
    let high = most;
    if (mdeHistory(spread, low, options) <= target)
        return low;
    while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (mdeHistory(spread, mid, options) <= target)
            high = mid;
        else
            low = mid;
    }
    return high;
}
/** A log-ratio MDE as a relative change: e^mde − 1 (0.0488 → +5 %). */
function relative(logRatio) {
    return Math.expm1(logRatio);
}
/**
 * A log-ratio MDE as the size of the relative change it means in the direction that is worse: a
 * rise of e^m − 1 for lower-is-better values, a fall of 1 − e^−m for higher-is-better ones (a
 * log-ratio of 0.365 is +44 % up but −31 % down, and a throughput's tolerance is measured down).
 */
function relativeTowards(logRatio, worse) {
    return worse === 'up' ? Math.expm1(logRatio) : -Math.expm1(-logRatio);
}
/** The inverse of relativeTowards: the log-ratio of a relative change of this size in that direction. */
function logRatioTowards(change, worse) {
    return worse === 'up' ? Math.log1p(change) : -Math.log1p(-change);
}


/***/ }),

/***/ 1568:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   A7: () => (/* binding */ loadRules),
/* harmony export */   BL: () => (/* binding */ parseTolerance),
/* harmony export */   Go: () => (/* binding */ parseConfidence),
/* harmony export */   Nr: () => (/* binding */ parseHistoryLimit),
/* harmony export */   _f: () => (/* binding */ splitWatchInput)
/* harmony export */ });
/* unused harmony exports DEFAULT_RECORD_LIMITS, DEFAULT_RULES, RulesError, parseWatchItem, parseWatchList, parseRules, applyOverrides */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _json_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(8301);
/* harmony import */ var _config_file_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4660);
/* harmony import */ var _k6_summary_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(817);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3916);
// Which metrics the gate watches and how strictly. Read from k6-gate.config.json / .yaml and from a
// few action inputs; the defaults cover the k6 built-in metrics every HTTP test has.





const DEFAULT_RECORD_LIMITS = Object.freeze({ maxFailedRate: 0.1, minChecksRate: 0.9, minIterations: 1 });
const DEFAULT_WATCH = Object.freeze([
    { metric: 'http_req_duration', stat: 'p(95)', origin: 'default' },
    { metric: 'http_req_duration', stat: 'p(99)', origin: 'default' },
    { metric: 'http_req_failed', stat: 'rate', origin: 'default' },
    { metric: 'http_reqs', stat: 'rate', origin: 'default' },
    { metric: 'checks', stat: 'rate', origin: 'default' },
    { metric: 'iteration_duration', stat: 'p(95)', origin: 'default' },
].map((rule) => Object.freeze(rule)));
const DEFAULT_RULES = Object.freeze({
    watch: DEFAULT_WATCH,
    tolerance: 0.1,
    noiseFloorMs: 2,
    noiseFloorRatio: 0.005,
    confidence: 0.99,
    minHistory: 5,
    historyLimit: 10,
    missing: 'error',
    record: DEFAULT_RECORD_LIMITS,
});
class RulesError extends _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ExpectedError */ .Dh {
    constructor(message) {
        super(message);
        this.name = 'RulesError';
    }
}
const METRIC_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\{[^{}]+\})?$/;
function describe(value) {
    if (typeof value === 'string')
        return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    if (value === undefined)
        return 'missing';
    if (Array.isArray(value))
        return 'an array';
    if (value === null)
        return 'null';
    if (typeof value === 'object')
        return 'an object';
    return String(value);
}
/** The stat a bare metric name means when none is given. */
function defaultStat(metric) {
    const base = metric.replace(/\{.*$/, '');
    if (base === 'http_reqs' || base === 'iterations' || base === 'checks' || base.endsWith('_failed'))
        return 'rate';
    return 'p(95)';
}
/**
 * `http_req_duration:p(95)`, `http_req_duration{name:login}:p(99)` (the stat follows the last colon
 * outside the braces) or a bare metric name (p(95) for trends, rate for the well-known rates).
 */
function parseWatchItem(text, where = 'watch item') {
    const item = text.trim();
    const closing = item.lastIndexOf('}');
    const colon = item.indexOf(':', closing === -1 ? 0 : closing);
    const metric = colon === -1 ? item : item.slice(0, colon).trim();
    const stat = colon === -1 ? defaultStat(metric) : item.slice(colon + 1).trim();
    if (!METRIC_PATTERN.test(metric)) {
        throw new RulesError(`${where} ${describe(text)}: ${describe(metric)} is not a k6 metric name; expected e.g. "http_req_duration:p(95)" or "http_req_duration{name:login}:p(99)"`);
    }
    if (!_k6_summary_js__WEBPACK_IMPORTED_MODULE_2__/* .K6_STAT_PATTERN */ .yh.test(stat)) {
        throw new RulesError(`${where} ${describe(text)}: ${describe(stat)} is not a k6 stat; expected one of avg, min, med, max, p(N), rate, count, value`);
    }
    return { metric, stat, origin: 'config' };
}
/**
 * The `watch` input as items: separated by commas or new lines, except commas inside `{...}`
 * (`http_req_duration{name:login,method:POST}:p(95)` is one item).
 */
function splitWatchInput(text) {
    const items = [];
    let depth = 0;
    let current = '';
    for (const ch of text ?? '') {
        if (ch === '{')
            depth++;
        if (ch === '}')
            depth = Math.max(0, depth - 1);
        if ((ch === ',' && depth === 0) || ch === '\n') {
            items.push(current);
            current = '';
        }
        else {
            current += ch;
        }
    }
    items.push(current);
    return items.map((item) => item.trim()).filter((item) => item !== '');
}
/** `0.1`, `"0.1"` or `"10%"` → 0.1. */
function parseTolerance(value, where = 'tolerance') {
    let number;
    if (typeof value === 'number')
        number = value;
    else if (typeof value === 'string') {
        const text = value.trim();
        const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
        if (percent)
            number = Number(percent[1]) / 100;
        else if (/^\d+(\.\d+)?$/.test(text))
            number = Number(text);
    }
    if (number === undefined || !Number.isFinite(number) || number < 0 || number > 10) {
        throw new RulesError(`${where} is ${describe(value)}; expected a fraction such as 0.1 or a percentage such as "10%" (0 to 1000%)`);
    }
    return number;
}
function expectNumber(value, where, check, expected) {
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
        throw new RulesError(`${where} is ${describe(value)}; expected ${expected}`);
    }
    return value;
}
function expectInteger(value, where, min) {
    return expectNumber(value, where, (n) => Number.isInteger(n) && n >= min, `a whole number ≥ ${min}`);
}
/** A number, or (from an input) its text; "99%" means 0.99. */
function numberOf(value, percent) {
    if (typeof value !== 'string')
        return value;
    const text = value.trim();
    if (percent && /^\d+(\.\d+)?\s*%$/.test(text))
        return Number(text.slice(0, -1)) / 100;
    return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : value;
}
/** `confidence` of the rules file and the input alike: 0.5 up to (not including) 1; "99%" from an input. */
function parseConfidence(value, where = 'confidence') {
    return expectNumber(numberOf(value, true), where, (n) => n >= 0.5 && n < 1, 'a probability from 0.5 up to (not including) 1, e.g. 0.99 or "99%"');
}
/** `historyLimit` of the rules file and the `history-limit` input alike: runs kept per baseline entry. */
function parseHistoryLimit(value, where = 'history-limit') {
    return expectNumber(numberOf(value, false), where, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'a whole number of runs from 1 to 1000, e.g. 10');
}
function expectMissing(value, where) {
    if (value === 'error' || value === 'warning')
        return value;
    throw new RulesError(`${where} is ${describe(value)}; expected "error" or "warning"`);
}
function expectDirection(value, where) {
    if (value === 'lower-is-better' || value === 'higher-is-better')
        return value;
    if (value === 'lower' || value === 'higher')
        return `${value}-is-better`;
    throw new RulesError(`${where} is ${describe(value)}; expected "lower-is-better" or "higher-is-better"`);
}
function key(path, name) {
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}
function rejectUnknown(object, known, where) {
    for (const name of Object.keys(object)) {
        if (!known.includes(name)) {
            throw new RulesError(`${key(where, name)} is not a known setting; expected one of ${known.join(', ')}`);
        }
    }
}
const RULE_KEYS = ['metric', 'stat', 'direction', 'tolerance', 'noiseFloor', 'missing'];
function parseRuleObject(raw, where) {
    rejectUnknown(raw, RULE_KEYS, where);
    if (typeof raw.metric !== 'string')
        throw new RulesError(`${where}.metric is ${describe(raw.metric)}; expected a metric name such as "http_req_duration"`);
    const base = parseWatchItem(raw.stat === undefined ? raw.metric : `${raw.metric}:${String(raw.stat)}`, where);
    const rule = { metric: base.metric, stat: base.stat, origin: 'config' };
    if (raw.direction !== undefined)
        rule.direction = expectDirection(raw.direction, `${where}.direction`);
    if (raw.tolerance !== undefined)
        rule.tolerance = parseTolerance(raw.tolerance, `${where}.tolerance`);
    if (raw.noiseFloor !== undefined)
        rule.noiseFloor = expectNumber(raw.noiseFloor, `${where}.noiseFloor`, (n) => n >= 0, 'a number ≥ 0 in the metric’s unit');
    if (raw.missing !== undefined)
        rule.missing = expectMissing(raw.missing, `${where}.missing`);
    return rule;
}
/** A later entry for the same metric and stat replaces an earlier one, so `defaults` can be refined. */
function addRule(list, rule) {
    const index = list.findIndex((r) => r.metric === rule.metric && r.stat === rule.stat);
    if (index === -1)
        list.push(rule);
    else
        list[index] = rule;
}
/** A watch list: items are "metric:stat" strings, rule objects, or "defaults" (the built-in list). */
function parseWatchList(raw, where) {
    if (!Array.isArray(raw))
        throw new RulesError(`${where} is ${describe(raw)}; expected a list such as ["defaults", "http_req_duration{name:login}:p(95)"]`);
    const out = [];
    raw.forEach((item, index) => {
        const at = `${where}[${index}]`;
        if (item === 'defaults')
            DEFAULT_WATCH.forEach((rule) => addRule(out, { ...rule }));
        else if (typeof item === 'string')
            addRule(out, parseWatchItem(item, at));
        else if ((0,_json_js__WEBPACK_IMPORTED_MODULE_4__/* .isObject */ .G)(item))
            addRule(out, parseRuleObject(item, at));
        else
            throw new RulesError(`${at} is ${describe(item)}; expected "metric:stat", "defaults" or an object {metric, stat, direction?, tolerance?, noiseFloor?, missing?}`);
    });
    return out;
}
const FILE_KEYS = [
    '$schema',
    'watch',
    'tolerance',
    'noiseFloorMs',
    'noiseFloorRatio',
    'confidence',
    'minHistory',
    'historyLimit',
    'missing',
    'record',
];
const RECORD_KEYS = ['maxFailedRate', 'minChecksRate', 'minIterations'];
function parseRecordLimits(raw, where) {
    if (!(0,_json_js__WEBPACK_IMPORTED_MODULE_4__/* .isObject */ .G)(raw))
        throw new RulesError(`${where} is ${describe(raw)}; expected an object such as {"maxFailedRate": 0.1, "minChecksRate": 0.9, "minIterations": 5}`);
    rejectUnknown(raw, RECORD_KEYS, where);
    const out = { ...DEFAULT_RECORD_LIMITS };
    const ratio = (n) => n >= 0 && n <= 1;
    if (raw.maxFailedRate !== undefined)
        out.maxFailedRate = expectNumber(raw.maxFailedRate, `${where}.maxFailedRate`, ratio, 'a ratio from 0 to 1, e.g. 0.1');
    if (raw.minChecksRate !== undefined)
        out.minChecksRate = expectNumber(raw.minChecksRate, `${where}.minChecksRate`, ratio, 'a ratio from 0 to 1, e.g. 0.9');
    if (raw.minIterations !== undefined)
        out.minIterations = expectInteger(raw.minIterations, `${where}.minIterations`, 0);
    return out;
}
/** Rules from already-parsed file content; `source` names the file in errors. */
function parseRules(raw, source) {
    const root = `${source}: $`;
    if (raw === null || raw === undefined)
        return { ...DEFAULT_RULES, watch: DEFAULT_WATCH.map((r) => ({ ...r })) };
    if (!(0,_json_js__WEBPACK_IMPORTED_MODULE_4__/* .isObject */ .G)(raw))
        throw new RulesError(`${root} is ${describe(raw)}; expected an object of settings such as {"tolerance": 0.1, "watch": ["defaults"]}`);
    rejectUnknown(raw, FILE_KEYS, root);
    const rules = { ...DEFAULT_RULES, watch: DEFAULT_WATCH.map((r) => ({ ...r })) };
    if (raw.watch !== undefined)
        rules.watch = parseWatchList(raw.watch, `${root}.watch`);
    if (raw.tolerance !== undefined)
        rules.tolerance = parseTolerance(raw.tolerance, `${root}.tolerance`);
    if (raw.noiseFloorMs !== undefined)
        rules.noiseFloorMs = expectNumber(raw.noiseFloorMs, `${root}.noiseFloorMs`, (n) => n >= 0, 'a number of milliseconds ≥ 0');
    if (raw.noiseFloorRatio !== undefined)
        rules.noiseFloorRatio = expectNumber(raw.noiseFloorRatio, `${root}.noiseFloorRatio`, (n) => n >= 0 && n <= 1, 'a ratio from 0 to 1, e.g. 0.005');
    if (raw.confidence !== undefined)
        rules.confidence = parseConfidence(raw.confidence, `${root}.confidence`);
    if (raw.minHistory !== undefined)
        rules.minHistory = expectInteger(raw.minHistory, `${root}.minHistory`, 2);
    if (raw.historyLimit !== undefined)
        rules.historyLimit = parseHistoryLimit(raw.historyLimit, `${root}.historyLimit`);
    if (raw.missing !== undefined)
        rules.missing = expectMissing(raw.missing, `${root}.missing`);
    if (raw.record !== undefined)
        rules.record = parseRecordLimits(raw.record, `${root}.record`);
    return rules;
}
/** Applies action inputs / CLI flags on top of rules; inputs win over the file. */
function applyOverrides(rules, overrides) {
    if (!overrides)
        return rules;
    const out = { ...rules, watch: [...rules.watch] };
    if (overrides.tolerance !== undefined)
        out.tolerance = parseTolerance(overrides.tolerance, 'tolerance input');
    if (overrides.historyLimit !== undefined)
        out.historyLimit = parseHistoryLimit(overrides.historyLimit, 'history-limit input');
    if (overrides.confidence !== undefined)
        out.confidence = parseConfidence(overrides.confidence, 'confidence input');
    if (overrides.watch !== undefined && overrides.watch.length > 0)
        out.watch = parseWatchList(overrides.watch, 'watch input');
    return out;
}
/**
 * Reads the rules file (JSON, or YAML for .yaml/.yml) and applies overrides. No file means the
 * defaults; a file that is named but missing is an error, since a typo would silently drop rules.
 */
async function loadRules(file, overrides) {
    if (file === undefined || file.trim() === '')
        return applyOverrides(parseRules(undefined, 'defaults'), overrides);
    const raw = await (0,_config_file_js__WEBPACK_IMPORTED_MODULE_1__/* .readConfigFile */ .RG)(file, {
        label: 'rules file',
        expected: 'a k6-gate.config.json or .yaml file, or no config-file input',
        error: (message) => new RulesError(message),
    });
    const source = node_path__WEBPACK_IMPORTED_MODULE_0___default().basename(file);
    return applyOverrides(parseRules(raw, source), overrides);
}


/***/ }),

/***/ 6574:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   J9: () => (/* binding */ percentileInterval),
/* harmony export */   QH: () => (/* binding */ wilcoxonSignedRank),
/* harmony export */   YV: () => (/* binding */ wilsonInterval),
/* harmony export */   Zl: () => (/* binding */ normalQuantile),
/* harmony export */   nb: () => (/* binding */ percentOfStat),
/* harmony export */   vr: () => (/* binding */ normalCdf)
/* harmony export */ });
/* unused harmony export binomialCdf */
/* harmony import */ var _stats_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(964);
// The uncertainty of ONE run's own statistics (sampling noise), apart from the run-to-run noise the
// history's prediction interval measures. Pure: numbers in, numbers out.
//
// - A percentile from n samples: the distribution-free order-statistic interval. The number of
//   samples below the true q-quantile is Binomial(n, q), so [x(l), x(u)] covers the quantile with at
//   least the stated confidence when l and u cut α/2 off each tail of that binomial. p(99) from 400
//   samples has no upper bound at 95 % (the top 4 samples cannot pin it) and a lower bound near
//   p(97.7): that is what "thin" means in the report.
// - A rate from passes/fails: the Wilson score interval (sane at 0 and at 1, unlike the Wald one).
// - A paired comparison of per-round statistics (A/B mode): the Wilcoxon signed-rank test, exact
//   for small n without ties, normal approximation with tie correction otherwise.

/** The quantile of the standard normal distribution (Acklam's rational approximation, |error| < 1.2e-9). */
function normalQuantile(p) {
    if (!(p > 0 && p < 1))
        throw new RangeError(`probability ${p}; expected a number strictly between 0 and 1`);
    const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
    const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    const low = 0.02425;
    if (p < low) {
        const q = Math.sqrt(-2 * Math.log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low)
        return -normalQuantile(1 - p);
    const q = p - 0.5;
    const r = q * q;
    return (((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1));
}
/** P(X ≤ k) for X ~ Binomial(n, p). */
function binomialCdf(k, n, p) {
    if (k < 0)
        return 0;
    if (k >= n)
        return 1;
    const whole = Math.floor(k);
    return (0,_stats_js__WEBPACK_IMPORTED_MODULE_0__/* .regularizedIncompleteBeta */ .Vt)(1 - p, n - whole, whole + 1);
}
/** Smallest k in [lo, hi] with f(k) true, for a monotone f; hi + 1 when none. */
function firstTrue(lo, hi, f) {
    let a = lo;
    let b = hi + 1;
    while (a < b) {
        const mid = Math.floor((a + b) / 2);
        if (f(mid))
            b = mid;
        else
            a = mid + 1;
    }
    return a;
}
/**
 * Distribution-free two-sided interval for the `percent` percentile from the run's samples
 * (order statistics; see the module comment). With B ~ Binomial(n, q): l is the largest rank with
 * P(B ≤ l − 1) ≤ α/2 and u the smallest with P(B ≤ u − 1) ≥ 1 − α/2.
 */
function percentileInterval(samples, percent, confidence = 0.95) {
    if (!(percent > 0 && percent < 100))
        throw new RangeError(`percentile ${percent}; expected a number strictly between 0 and 100`);
    if (!(confidence > 0 && confidence < 1))
        throw new RangeError(`confidence ${confidence}; expected a number strictly between 0 and 1`);
    const n = samples.count;
    const q = percent / 100;
    const tail = (1 - confidence) / 2;
    // l − 1 = the largest k with cdf(k) ≤ tail, i.e. (first k with cdf(k) > tail) − 1.
    const lowRank = n === 0 ? 0 : firstTrue(-1, n, (k) => binomialCdf(k, n, q) > tail);
    const highRank = n === 0 ? 1 : firstTrue(0, n, (k) => binomialCdf(k, n, q) >= 1 - tail) + 1;
    const lowOk = lowRank >= 1;
    const highOk = highRank <= n;
    const coverage = (highOk ? binomialCdf(highRank - 1, n, q) : 1) - (lowOk ? binomialCdf(lowRank - 1, n, q) : 0);
    return {
        n,
        low: lowOk ? samples.valueAtRank(lowRank - 1) : undefined,
        high: highOk ? samples.valueAtRank(highRank - 1) : undefined,
        lowRank: lowOk ? lowRank : 0,
        highRank: highOk ? highRank : n + 1,
        coverage,
    };
}
/** Wilson score interval for a proportion `successes / n`. */
function wilsonInterval(successes, n, confidence = 0.95) {
    if (!(n > 0))
        return { low: 0, high: 1 };
    const z = normalQuantile((1 + confidence) / 2);
    const p = successes / n;
    const z2n = (z * z) / n;
    const centre = (p + z2n / 2) / (1 + z2n);
    const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
    return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
/** The statistic a sampling interval is computed for, in `--summary-trend-stats` spelling. */
function percentOfStat(stat) {
    if (stat === 'med')
        return 50;
    const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
    if (!m)
        return undefined;
    const percent = Number(m[1]);
    return percent > 0 && percent < 100 ? percent : undefined;
}
/**
 * Wilcoxon signed-rank test of paired differences (zeros dropped, ties get mid-ranks). Exact
 * null distribution for n ≤ 30 without ties (all 2^n sign patterns, counted by dynamic
 * programming), normal approximation with continuity and tie correction otherwise.
 */
function wilcoxonSignedRank(differences) {
    const d = differences.filter((x) => x !== 0 && Number.isFinite(x));
    const n = d.length;
    if (n === 0)
        return { n: 0, wPlus: 0, p: 1, method: 'exact' };
    const order = d.map((x, i) => ({ a: Math.abs(x), i })).sort((x, y) => x.a - y.a);
    const ranks = new Array(n);
    let ties = false;
    let tieTerm = 0;
    for (let s = 0; s < n;) {
        let e = s;
        while (e + 1 < n && order[e + 1].a === order[s].a)
            e++;
        const rank = (s + e + 2) / 2;
        for (let k = s; k <= e; k++)
            ranks[order[k].i] = rank;
        const t = e - s + 1;
        if (t > 1) {
            ties = true;
            tieTerm += t * t * t - t;
        }
        s = e + 1;
    }
    let wPlus = 0;
    d.forEach((x, i) => {
        if (x > 0)
            wPlus += ranks[i];
    });
    const total = (n * (n + 1)) / 2;
    if (!ties && n <= 30) {
        // counts[s] = number of sign patterns whose positive ranks sum to s.
        let counts = new Float64Array(total + 1);
        counts[0] = 1;
        for (let r = 1; r <= n; r++) {
            const next = new Float64Array(total + 1);
            for (let s = 0; s <= total; s++) {
                if (counts[s] === 0)
                    continue;
                next[s] += counts[s];
                next[s + r] += counts[s];
            }
            counts = next;
        }
        const patterns = Math.pow(2, n);
        const extreme = Math.min(wPlus, total - wPlus);
        let tailCount = 0;
        for (let s = 0; s <= extreme; s++)
            tailCount += counts[s];
        return { n, wPlus, p: Math.min(1, (2 * tailCount) / patterns), method: 'exact' };
    }
    const meanW = total / 2;
    const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
    const z = variance > 0 ? Math.max(0, Math.abs(wPlus - meanW) - 0.5) / Math.sqrt(variance) : 0;
    return { n, wPlus, p: Math.min(1, 2 * (1 - normalCdf(z))), method: 'normal' };
}
/** Φ(z), the standard normal CDF (via erfc; |error| < 1.2e-7). */
function normalCdf(z) {
    const x = Math.abs(z) / Math.SQRT2;
    const t = 1 / (1 + 0.5 * x);
    const erfc = t *
        Math.exp(-x * x -
            1.26551223 +
            t *
                (1.00002368 +
                    t *
                        (0.37409196 +
                            t *
                                (0.09678418 +
                                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}


/***/ }),

/***/ 964:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $J: () => (/* binding */ studentTQuantile),
/* harmony export */   JZ: () => (/* binding */ median),
/* harmony export */   Jt: () => (/* binding */ studentTCdf),
/* harmony export */   Vt: () => (/* binding */ regularizedIncompleteBeta),
/* harmony export */   dY: () => (/* binding */ predictionInterval),
/* harmony export */   gc: () => (/* binding */ withoutOutliers),
/* harmony export */   nx: () => (/* binding */ predictionStandardError)
/* harmony export */ });
/* unused harmony exports logGamma, mean, sampleStdDev */
// The small amount of statistics the baseline engine needs, written out so that the numbers can be
// checked against printed tables (no dependency whose approximations we cannot see).
/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~15 significant digits). */
function logGamma(x) {
    if (x < 0.5) {
        // Reflection keeps the series in the range where it is accurate.
        return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    const c = [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
        -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
    const z = x - 1;
    let sum = c[0];
    for (let i = 1; i < c.length; i++)
        sum += c[i] / (z + i);
    const t = z + 7.5;
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
/** Continued fraction of the incomplete beta function (modified Lentz's method). */
function betaContinuedFraction(x, a, b) {
    const tiny = 1e-300;
    let c = 1;
    let d = 1 - ((a + b) * x) / (a + 1);
    if (Math.abs(d) < tiny)
        d = tiny;
    d = 1 / d;
    let h = d;
    for (let m = 1; m <= 500; m++) {
        const m2 = 2 * m;
        // even step
        let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
        d = 1 + aa * d;
        if (Math.abs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (Math.abs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        // odd step
        aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
        d = 1 + aa * d;
        if (Math.abs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (Math.abs(c) < tiny)
            c = tiny;
        d = 1 / d;
        const delta = d * c;
        h *= delta;
        if (Math.abs(delta - 1) < 1e-15)
            break;
    }
    return h;
}
/** The regularized incomplete beta function I_x(a, b). */
function regularizedIncompleteBeta(x, a, b) {
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
    // The continued fraction converges fast only on one side of the mean; use the symmetry otherwise.
    if (x < (a + 1) / (a + b + 2))
        return (front * betaContinuedFraction(x, a, b)) / a;
    return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}
/** P(T ≤ t) for Student's t distribution with `df` degrees of freedom. */
function studentTCdf(t, df) {
    if (!(df > 0))
        throw new RangeError(`degrees of freedom ${df}; expected a positive number`);
    if (t === 0)
        return 0.5;
    const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
    return t > 0 ? 1 - tail : tail;
}
/** The p-quantile of Student's t distribution: the t with P(T ≤ t) = p. */
function studentTQuantile(p, df) {
    if (!(p > 0 && p < 1))
        throw new RangeError(`probability ${p}; expected a number strictly between 0 and 1`);
    if (!(df > 0))
        throw new RangeError(`degrees of freedom ${df}; expected a positive number`);
    if (p === 0.5)
        return 0;
    if (p < 0.5)
        return -studentTQuantile(1 - p, df);
    // Closed forms exist for 1 and 2 degrees of freedom; they also check the general path in tests.
    if (df === 1)
        return Math.tan(Math.PI * (p - 0.5));
    if (df === 2)
        return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
    let low = 0;
    let high = 1;
    while (studentTCdf(high, df) < p) {
        low = high;
        high *= 2;
        if (high > 1e12)
            return high;
    }
    // Bisection: the CDF is monotone, and 100 halvings reach the limit of double precision.
    for (let i = 0; i < 100; i++) {
        const mid = (low + high) / 2;
        if (studentTCdf(mid, df) < p)
            low = mid;
        else
            high = mid;
        if (high - low <= 1e-13 * Math.max(1, high))
            break;
    }
    return (low + high) / 2;
}
function mean(values) {
    let sum = 0;
    for (const v of values)
        sum += v;
    return sum / values.length;
}
/** Sample standard deviation (n − 1 in the denominator). */
function sampleStdDev(values) {
    if (values.length < 2)
        return 0;
    const m = mean(values);
    let squares = 0;
    for (const v of values)
        squares += (v - m) * (v - m);
    return Math.sqrt(squares / (values.length - 1));
}
function median(values) {
    if (values.length === 0)
        return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
/**
 * The standard error of the difference between ONE new value and the mean of n earlier ones whose
 * standard deviation is s: s·√(1 + 1/n). The prediction interval and the history's minimum
 * detectable effect (power.ts) both rest on it.
 */
function predictionStandardError(spread, n) {
    return spread * Math.sqrt(1 + 1 / n);
}
/**
 * Two-sided prediction interval for ONE new observation from the same distribution as `values`:
 * mean ± t(1 − α/2, n − 1) · s · √(1 + 1/n). Latencies are right-skewed and their noise is
 * multiplicative, so the interval is built on log values when all are positive; with a zero in
 * the history (an error rate of 0) logs do not exist and the linear scale is used.
 */
function predictionInterval(values, confidence) {
    const n = values.length;
    if (n < 2)
        throw new RangeError(`a prediction interval needs at least 2 values, got ${n}`);
    if (!(confidence > 0 && confidence < 1))
        throw new RangeError(`confidence ${confidence}; expected a number strictly between 0 and 1`);
    const scale = values.every((v) => v > 0) ? 'log' : 'linear';
    const points = scale === 'log' ? values.map(Math.log) : [...values];
    const m = mean(points);
    const t = studentTQuantile((1 + confidence) / 2, n - 1);
    const spread = sampleStdDev(points);
    const standardError = predictionStandardError(spread, n);
    const half = t * standardError;
    const shape = { scale, t, n, spread, standardError };
    if (scale === 'log')
        return { low: Math.exp(m - half), high: Math.exp(m + half), centre: Math.exp(m), ...shape };
    return { low: m - half, high: m + half, centre: m, ...shape };
}
/**
 * The history without runs that were disturbed: values whose log is more than `cutoff` robust
 * standard deviations (1.4826 · MAD) from the median log. One main-branch run that shared its
 * runner with a noisy neighbour would otherwise widen the interval for the next `historyLimit`
 * runs and hide real regressions. Nothing is removed when the MAD is 0 (no spread to judge by),
 * when a value is not positive, when fewer than `keepAtLeast` values would remain, or when more
 * than a fifth of the values stand out: then the spread is how this environment is, not a few
 * disturbed runs.
 */
function withoutOutliers(values, keepAtLeast, cutoff = 3.5) {
    if (values.length < 3 || values.some((v) => !(v > 0)))
        return { kept: [...values], dropped: [] };
    const logs = values.map(Math.log);
    const centre = median(logs);
    const mad = median(logs.map((v) => Math.abs(v - centre)));
    if (mad === 0)
        return { kept: [...values], dropped: [] };
    const scale = 1.4826 * mad;
    const kept = [];
    const dropped = [];
    values.forEach((v, i) => (Math.abs(logs[i] - centre) / scale > cutoff ? dropped : kept).push(v));
    if (kept.length < keepAtLeast || dropped.length > Math.floor(values.length / 5))
        return { kept: [...values], dropped: [] };
    return { kept, dropped };
}


/***/ }),

/***/ 4494:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   L3: () => (/* binding */ updateBaselineFile),
/* harmony export */   xX: () => (/* binding */ BaselineLockAbandoned)
/* harmony export */ });
/* unused harmony exports DEFAULT_LOCK_OPTIONS, lockFileFor, withBaselineLock, saveBaseline */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _atomic_file_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3549);
/* harmony import */ var _folder_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1683);
/* harmony import */ var _file_lock_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(8005);
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(2973);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(8860);
// Writing the baseline file when several gates may do it at once (parallel CI jobs sharing a
// checkout or a network folder, a laptop run next to a scheduled one): every update takes a lock
// file, re-reads the file under it, merges its own entry into what it finds, writes through a
// temporary file and a rename (readers see the old or the new file, never half of one), keeps the
// file's mode, and lets go. docs/adr/0002-baseline-environment-key.md argues the choices.







/** The wait for the baseline's lock was given up on request; nothing was written. */
class BaselineLockAbandoned extends _format_js__WEBPACK_IMPORTED_MODULE_6__/* .BaselineError */ .s$ {
}
const DEFAULT_LOCK_OPTIONS = Object.freeze({ staleMs: 30_000, timeoutMs: 60_000 });
function lockFileFor(file) {
    return `${file}.lock`;
}
/** Runs `work` while holding the baseline's lock file (file-lock.ts decides what still counts). */
async function withBaselineLock(file, work, options = {}) {
    const { staleMs, timeoutMs } = { ...DEFAULT_LOCK_OPTIONS, ...options };
    const lockFile = lockFileFor(file);
    try {
        (0,_folder_js__WEBPACK_IMPORTED_MODULE_3__/* .createFolder */ .v)(node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname(file));
    }
    catch (error) {
        throw notWritable(file, error);
    }
    let lock;
    try {
        lock = await (0,_file_lock_js__WEBPACK_IMPORTED_MODULE_4__/* .acquireFileLock */ .AM)(lockFile, {
            waitMs: timeoutMs,
            foreignStaleMs: staleMs,
            signal: options.signal,
            onWait: (holder) => options.log?.info(`baseline ${node_path__WEBPACK_IMPORTED_MODULE_1___default().basename(file)} is being updated by ${holder}; waiting up to ${Math.round(timeoutMs / 1000)} s`),
        });
    }
    catch (error) {
        if (error instanceof _file_lock_js__WEBPACK_IMPORTED_MODULE_4__/* .LockWaitAbandoned */ .jb)
            throw new BaselineLockAbandoned(`stopped waiting for the lock of ${node_path__WEBPACK_IMPORTED_MODULE_1___default().basename(file)}`);
        if (error instanceof _file_lock_js__WEBPACK_IMPORTED_MODULE_4__/* .LockHeldError */ .Rk) {
            throw new _format_js__WEBPACK_IMPORTED_MODULE_6__/* .BaselineError */ .s$(`baseline ${node_path__WEBPACK_IMPORTED_MODULE_1___default().basename(file)} is locked by ${error.holder} and stayed locked for ${Math.round(timeoutMs / 1000)} s; expected another gate to finish its update (delete ${lockFile} if no gate is running)`);
        }
        const code = error.code;
        throw new _format_js__WEBPACK_IMPORTED_MODULE_6__/* .BaselineError */ .s$(`baseline lock ${lockFile} cannot be created (${code ?? error.message}); expected a writable folder`, {
            cause: error,
        });
    }
    if (lock.replaced)
        options.log?.warning(`removed an abandoned baseline lock ${lockFile} (${lock.replaced})`);
    try {
        return await work();
    }
    finally {
        await lock.release();
    }
}
/**
 * Writes the baseline through a temporary file and a rename, so a reader never sees half a file,
 * and keeps the existing file's mode. A read-only file is refused instead of being replaced (a
 * rename would slip past its permissions).
 */
async function saveBaseline(file, baseline) {
    const text = (0,_format_js__WEBPACK_IMPORTED_MODULE_6__/* .serializeBaseline */ .ky)(baseline);
    // Refuse to write something the next read would reject.
    await (0,_format_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBaseline */ .nk)(text, node_path__WEBPACK_IMPORTED_MODULE_1___default().basename(file));
    let mode = 0o644;
    try {
        const info = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.stat)(file);
        mode = info.mode & 0o7777;
        if ((mode & 0o200) === 0) {
            throw new _format_js__WEBPACK_IMPORTED_MODULE_6__/* .BaselineError */ .s$(`baseline ${node_path__WEBPACK_IMPORTED_MODULE_1___default().basename(file)} is read-only (mode ${mode.toString(8).padStart(4, '0')}); expected a writable file: make it writable, or run without update-baseline`);
        }
    }
    catch (error) {
        if (error instanceof _format_js__WEBPACK_IMPORTED_MODULE_6__/* .BaselineError */ .s$)
            throw error;
        if (error.code !== 'ENOENT')
            throw error;
    }
    try {
        (0,_folder_js__WEBPACK_IMPORTED_MODULE_3__/* .createFolder */ .v)(node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname(file));
        await (0,_atomic_file_js__WEBPACK_IMPORTED_MODULE_2__/* .writeFileAtomic */ .Z)(file, text, mode);
    }
    catch (error) {
        throw notWritable(file, error);
    }
}
/** A baseline path the file system refuses (a file where a folder should be, no permission, a full disk). */
function notWritable(file, error) {
    const code = error.code ?? error.message;
    return new _format_js__WEBPACK_IMPORTED_MODULE_6__/* .BaselineError */ .s$(`baseline ${file} cannot be written (${code}); expected a path whose folders exist or can be created, writable, e.g. k6-baseline.json`, { cause: error });
}
/**
 * Updates the baseline file under its lock: reads what is there NOW (another gate may have written
 * since this one started), applies `change` to it and writes the result. Returns both versions.
 * A baseline that is a symbolic link (checked to lead inside the workspace when the path was
 * read, config.ts insideWorkspace) is updated where it leads: the link stays a link, and the lock
 * sits next to the file that is written.
 */
async function updateBaselineFile(link, change, options = {}) {
    const file = (0,_config_js__WEBPACK_IMPORTED_MODULE_5__/* .realPathOf */ .dN)(link);
    return withBaselineLock(file, async () => {
        const before = await (0,_format_js__WEBPACK_IMPORTED_MODULE_6__/* .loadBaseline */ .oU)(file);
        const after = change(before);
        await saveBaseline(file, after);
        return { before, after, written: file };
    }, options);
}


/***/ }),

/***/ 4136:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $j: () => (/* binding */ MIN_SEGMENT),
/* harmony export */   F4: () => (/* binding */ STEP_PENALTY),
/* harmony export */   K8: () => (/* binding */ appendTrend),
/* harmony export */   KM: () => (/* binding */ sparkline),
/* harmony export */   h: () => (/* binding */ trendSeries),
/* harmony export */   ho: () => (/* binding */ findChangePoints),
/* harmony export */   p1: () => (/* binding */ MIN_RELATIVE_SHIFT)
/* harmony export */ });
/* unused harmony exports DEFAULT_TREND_LIMIT, stepNoise */
/* harmony import */ var _stats_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(964);
// The long trend a baseline keeps per scenario (default the last 50 accepted runs) and the
// change-point method `k6-gate baseline show --changes` runs over it. Pure.
//
// Layout: `stats` names the columns ("http_req_duration p(95)"), each run is one row
// `{ date, commit, values }` — one line in the file, so an update diffs as one added and one
// dropped line. A stat added later has no value in older rows (their `values` are shorter); a stat a
// run lacks is `null`.
//
// Change points (docs/baseline.md "Trend and change points"): penalised optimal partitioning. The
// series is cut into segments of at least MIN_SEGMENT runs so that the sum of the segments' costs
// plus a penalty per cut is smallest (optimal partitioning, Jackson et al. 2005; the penalised
// form PELT speeds up, Killick, Fearnhead & Eckley 2012, JASA 107:1590 — n ≤ a few hundred here,
// so the exact O(n²) search is used without pruning). A segment's cost is the Laplace
// log-likelihood around its median (Σ|x − median|), robust to one odd run, in units of ONE noise
// level for the whole series estimated from neighbouring differences (stepNoise). The penalty is
// STEP_PENALTY · ln n per cut: the modified BIC of Zhang & Siegmund (2007) uses 3 ln n for
// Gaussian noise; 5 ln n was measured to keep spurious cuts at a few % on series with 8–15 % noise
// and outliers (test/baseline/trend.test.ts). Finally a cut whose medians differ by less than
// MIN_RELATIVE_SHIFT is merged away.
//
// Why not binary segmentation with a per-split score (what this replaced): each half was searched
// again with its own MAD, and a 3-run segment's MAD is tiny, so a one-step series often reported a
// second, spurious step a few runs after the real one (half of the series with a +48 % step at run
// 19 of 30), blaming an innocent commit. One global noise level and one penalty for the whole
// series make a second cut pay for itself.

const DEFAULT_TREND_LIMIT = 50;
const MIN_SEGMENT = 5;
/** Penalty per step, times ln(n) (see the header: above the 3 ln n of the modified BIC, measured). */
const STEP_PENALTY = 5;
const MIN_RELATIVE_SHIFT = 0.05;
const MAX_SEARCHED_RUNS = 500;
/** Appends one run (stat → value) and keeps the last `limit` runs. The input is not modified. */
function appendTrend(trend, values, run, limit = DEFAULT_TREND_LIMIT) {
    const stats = [...(trend?.stats ?? [])];
    for (const stat of Object.keys(values))
        if (!stats.includes(stat))
            stats.push(stat);
    const row = { date: run.date, values: stats.map((stat) => values[stat] ?? null) };
    if (run.commit !== undefined)
        row.commit = run.commit;
    const runs = [...(trend?.runs ?? []).map((r) => ({ ...r, values: [...r.values] })), row].slice(-limit);
    return { stats, runs };
}
/** The values of one column, oldest first, with the run each came from (runs without it skipped). */
function trendSeries(trend, stat) {
    const column = trend.stats.indexOf(stat);
    if (column === -1)
        return [];
    return trend.runs.flatMap((run) => {
        const value = run.values[column];
        return typeof value === 'number' && Number.isFinite(value) ? [{ value, run }] : [];
    });
}
/** Median absolute deviation scaled to estimate a standard deviation under normal noise. */
const MAD_TO_SD = 1.4826;
/**
 * The noise level of a series with steps in it: from the differences of neighbouring runs, which a
 * step moves only once (a level shift does not inflate it, unlike the spread of the whole series).
 * A floor of 0.1 % of the level keeps a perfectly flat series finite.
 */
function stepNoise(values) {
    const diffs = [];
    for (let i = 1; i < values.length; i++)
        diffs.push(Math.abs(values[i] - values[i - 1]));
    const level = Math.abs((0,_stats_js__WEBPACK_IMPORTED_MODULE_0__/* .median */ .JZ)(values));
    return Math.max(diffs.length ? (MAD_TO_SD * (0,_stats_js__WEBPACK_IMPORTED_MODULE_0__/* .median */ .JZ)(diffs)) / Math.SQRT2 : 0, level * 1e-3, 1e-12);
}
/** Σ|x − median| of every segment [start, end) with at least MIN_SEGMENT values: cost[start][end]. */
function segmentCosts(values) {
    const n = values.length;
    const cost = [];
    for (let start = 0; start < n; start++) {
        const row = [];
        const sorted = [];
        for (let end = start + 1; end <= n; end++) {
            const v = values[end - 1];
            let at = sorted.length;
            while (at > 0 && sorted[at - 1] > v)
                at--;
            sorted.splice(at, 0, v);
            const mid = sorted.length >> 1;
            const med = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
            let sum = 0;
            for (const x of sorted)
                sum += Math.abs(x - med);
            row[end] = sum;
        }
        cost.push(row);
    }
    return cost;
}
/**
 * Optimal partition: the segment starts (after 0) that minimise Σ cost(segment)/scale + penalty per step,
 * every segment at least MIN_SEGMENT long.
 */
function optimalSteps(values, scale, penalty) {
    const n = values.length;
    const cost = segmentCosts(values);
    const best = new Array(n + 1).fill(Infinity);
    const last = new Array(n + 1).fill(-1);
    best[0] = -penalty;
    for (let end = MIN_SEGMENT; end <= n; end++) {
        for (let start = 0; start <= end - MIN_SEGMENT; start++) {
            if (best[start] === Infinity)
                continue;
            const total = best[start] + cost[start][end] / scale + penalty;
            if (total < best[end]) {
                best[end] = total;
                last[end] = start;
            }
        }
    }
    const starts = [];
    for (let end = n; end > 0; end = last[end])
        if (last[end] > 0)
            starts.unshift(last[end]);
    return starts;
}
/** Steps in one stat's series, oldest first. */
function findChangePoints(trend, stat) {
    // A hand-made trend could be any length; the exact search is cubic in it, so only the latest
    // MAX_SEARCHED_RUNS runs are searched (k6-gate keeps 50).
    const series = trendSeries(trend, stat).slice(-MAX_SEARCHED_RUNS);
    const offset = Math.max(0, trendSeries(trend, stat).length - MAX_SEARCHED_RUNS);
    const values = series.map((p) => p.value);
    if (values.length < 2 * MIN_SEGMENT)
        return [];
    const noise = stepNoise(values);
    // Twice the Laplace log-likelihood: Σ|x − median| / b with b = σ/√2, doubled.
    const starts = optimalSteps(values, noise / (2 * Math.SQRT2), STEP_PENALTY * Math.log(values.length));
    const levelOf = (from, to) => (0,_stats_js__WEBPACK_IMPORTED_MODULE_0__/* .median */ .JZ)(values.slice(from, to));
    // A statistically sure step smaller than MIN_RELATIVE_SHIFT is not worth a reader's time: the
    // smallest such step is merged into its neighbours until none is left.
    for (;;) {
        const bounds = [0, ...starts, values.length];
        let smallest = -1;
        let smallestShift = MIN_RELATIVE_SHIFT;
        for (let i = 0; i < starts.length; i++) {
            const before = levelOf(bounds[i], bounds[i + 1]);
            const after = levelOf(bounds[i + 1], bounds[i + 2]);
            const shift = before === 0 ? Infinity : Math.abs(after / before - 1);
            if (shift < smallestShift) {
                smallestShift = shift;
                smallest = i;
            }
        }
        if (smallest === -1)
            break;
        starts.splice(smallest, 1);
    }
    const bounds = [0, ...starts, values.length];
    return starts.map((index, i) => {
        const before = levelOf(bounds[i], index);
        const after = levelOf(index, bounds[i + 2]);
        const at = series[index];
        return {
            stat,
            index: offset + index,
            commit: at.run.commit,
            date: at.run.date,
            before,
            after,
            change: before === 0 ? Infinity : after / before - 1,
            score: Math.abs(after - before) / noise,
        };
    });
}
const BARS = '▁▂▃▄▅▆▇█';
/** `▁▂▂▃█`: one character per value, scaled between the series' min and max. */
function sparkline(values) {
    if (values.length === 0)
        return '';
    const min = Math.min(...values);
    const max = Math.max(...values);
    return values.map((v) => (max === min ? BARS[3] : BARS[Math.min(7, Math.floor(((v - min) / (max - min)) * 8))])).join('');
}


/***/ }),

/***/ 6054:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DQ: () => (/* binding */ runsToRecord),
/* harmony export */   NH: () => (/* binding */ runWarnings),
/* harmony export */   OG: () => (/* binding */ recordProblems),
/* harmony export */   Rz: () => (/* binding */ updateBaseline),
/* harmony export */   YM: () => (/* binding */ historyCuts),
/* harmony export */   _i: () => (/* binding */ migrateToEnvironment),
/* harmony export */   aA: () => (/* binding */ shouldUpdateBaseline),
/* harmony export */   mg: () => (/* binding */ unmigratedKeysFor)
/* harmony export */ });
/* unused harmony exports roundValue, brokenRunWarning, inconclusiveRefusal */
/* harmony import */ var _k6_summary_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(817);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8860);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(6264);
/* harmony import */ var _metric_kind_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(694);
/* harmony import */ var _stats_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(964);
/* harmony import */ var _trend_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(4136);
// The baseline lifecycle: when a run may become part of the baseline, and how it is folded in.






/** Six significant digits: far below run-to-run noise, and keeps one history entry on one line. */
function roundValue(value) {
    return Number(value.toPrecision(6));
}
/** Whole seconds in UTC: `2025-03-01T10:00:00Z`. */
function compactDate(date) {
    const time = Date.parse(date);
    if (Number.isNaN(time))
        throw new _format_js__WEBPACK_IMPORTED_MODULE_1__/* .BaselineError */ .s$(`run date ${JSON.stringify(date)} is not a date; expected ISO 8601 such as "2025-03-01T10:00:00Z"`);
    return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
/**
 * The entry kept for one run. Commit and ref are shortened (12 hex digits identify a commit in any
 * real repository; `refs/heads/` says nothing) so that an entry stays on one line of the file.
 */
function historyEntry(value, run) {
    const entry = { value: roundValue(value), date: compactDate(run.date), k6Version: run.k6Version };
    if (run.commit !== undefined && run.commit !== '')
        entry.commit = /^[0-9a-f]{13,}$/i.test(run.commit) ? run.commit.slice(0, 12) : run.commit;
    if (run.ref !== undefined && run.ref !== '')
        entry.ref = run.ref.replace(/^refs\/heads\//, '');
    return entry;
}
function cloneStat(stat) {
    return { ...stat, history: stat.history.map((entry) => ({ ...entry })) };
}
function cloneScenario(scenario) {
    // endpoints and trend are replaced, never changed in place, by updateBaseline.
    const metrics = {};
    for (const [metric, stats] of Object.entries(scenario.metrics)) {
        metrics[metric] = {};
        for (const [stat, value] of Object.entries(stats))
            metrics[metric][stat] = cloneStat(value);
    }
    return { ...scenario, metrics };
}
/**
 * The histories an update shortened below what they held before (a lowered history-limit), one line
 * per baseline key: a run that keeps the limit full drops one entry and is not worth a word.
 */
function historyCuts(before, after, limit) {
    const lines = [];
    for (const [key, scenario] of Object.entries(after.scenarios)) {
        let worst;
        for (const [metric, stats] of Object.entries(scenario.metrics)) {
            for (const [stat, value] of Object.entries(stats)) {
                const held = before?.scenarios[key]?.metrics[metric]?.[stat]?.history.length ?? 0;
                const kept = value.history.length;
                if (kept < held && (!worst || held - kept > worst.before - worst.kept))
                    worst = { name: `${metric} ${stat}`, before: held, kept };
            }
        }
        if (worst) {
            lines.push(`history-limit ${limit} dropped ${worst.before + 1 - worst.kept} older run(s) from the history of ${key} (${worst.name}: ${worst.before} runs before this one, ${worst.kept} kept)`);
        }
    }
    return lines;
}
/**
 * Appends each run's watched values to the history of its scenario, keeps the last
 * `rules.historyLimit` entries and sets `accepted` to the median of what is kept (one odd run
 * cannot move the baseline; a lasting change moves it once it is most of the window).
 * Watched metrics a run lacks keep their entries: a run that lost a metric does not erase it.
 * The input is not modified.
 */
function updateBaseline(baseline, runs, rules) {
    const out = { version: 1, scenarios: {} };
    if (baseline?.$schema !== undefined)
        out.$schema = baseline.$schema;
    for (const [key, scenario] of Object.entries(baseline?.scenarios ?? {}))
        out.scenarios[key] = cloneScenario(scenario);
    let latest = baseline?.updatedAt;
    for (const run of runs) {
        const scenario = out.scenarios[run.key] ?? { scenario: run.scenario, metrics: {} };
        scenario.scenario = run.scenario;
        if (run.profile !== undefined)
            scenario.profile = run.profile;
        else
            delete scenario.profile;
        if (run.environment !== undefined)
            scenario.environment = run.environment;
        else
            delete scenario.environment;
        const date = compactDate(run.date);
        let touched = false;
        const trendValues = {};
        for (const rule of rules.watch) {
            const value = (0,_k6_summary_js__WEBPACK_IMPORTED_MODULE_0__/* .readStat */ .BV)(run.summary, rule.metric, rule.stat);
            if (value === undefined)
                continue;
            const metricSummary = run.summary.metrics[rule.metric];
            const stats = (scenario.metrics[rule.metric] ??= {});
            const stat = stats[rule.stat] ?? { accepted: value, history: [] };
            // Type and unit are recorded so that a later legacy summary (no types) cannot change them.
            const described = (0,_metric_kind_js__WEBPACK_IMPORTED_MODULE_2__/* .describeMetric */ .oz)(rule.metric, rule.stat, metricSummary, stat);
            stat.type = described.type;
            stat.unit = described.unit;
            stat.history.push(historyEntry(value, run));
            stat.history = stat.history.slice(-rules.historyLimit);
            stat.accepted = (0,_stats_js__WEBPACK_IMPORTED_MODULE_3__/* .median */ .JZ)(stat.history.map((entry) => entry.value));
            stats[rule.stat] = stat;
            trendValues[`${rule.metric} ${rule.stat}`] = roundValue(value);
            touched = true;
        }
        if (touched) {
            const entry = historyEntry(0, run);
            scenario.trend = (0,_trend_js__WEBPACK_IMPORTED_MODULE_4__/* .appendTrend */ .K8)(scenario.trend, trendValues, { date: entry.date, commit: entry.commit });
            if (run.executorModel !== undefined)
                scenario.executorModel = run.executorModel;
            if (run.endpoints !== undefined && run.endpoints.length > 0) {
                scenario.endpoints = Object.fromEntries(run.endpoints
                    .filter((e) => Number.isFinite(e.p95))
                    .map((e) => [e.endpoint, { p95: roundValue(e.p95), requests: e.requests, failureRate: roundValue(e.failureRate) }]));
            }
            scenario.updatedAt = date;
            if (latest === undefined || Date.parse(date) > Date.parse(latest))
                latest = date;
            out.scenarios[run.key] = scenario;
        }
    }
    if (latest !== undefined)
        out.updatedAt = latest;
    return out;
}
/**
 * Whether this run may update the baseline:
 * - `never`: no;
 * - `auto`: only a passed run on the default branch (a regression is accepted explicitly, with
 *   `always` or `force`, so that a slowdown merged by mistake keeps failing until someone decides);
 * - `always`: a passed or regressed run on any ref;
 * - `force`: any run, even one that crossed thresholds or errored (if it produced a summary).
 */
function shouldUpdateBaseline(input) {
    const { mode, outcome } = input;
    if (mode === 'never')
        return { update: false, reason: 'update-baseline is off' };
    if (mode === 'force')
        return { update: true, reason: `update-baseline is force: the ${outcome} run is recorded as it is` };
    if (outcome === 'error')
        return { update: false, reason: 'the run errored; a broken run never becomes the baseline (use update-baseline: force to override)' };
    if (outcome === 'thresholds-failed') {
        return {
            update: false,
            reason: "the run crossed the script's thresholds; it does not become the baseline (use update-baseline: force to override)",
        };
    }
    if (mode === 'always')
        return { update: true, reason: `update-baseline is always: the ${outcome} run is recorded` };
    if (input.isDefaultBranch !== true) {
        return {
            update: false,
            reason: input.isDefaultBranch === false
                ? 'update-baseline is auto and this is not the default branch'
                : 'update-baseline is auto and the default branch is not known here',
        };
    }
    if (outcome === 'regressed') {
        return {
            update: false,
            reason: 'the run regressed; auto does not accept regressions (accept it with update-baseline: always or force)',
        };
    }
    if (outcome === 'inconclusive') {
        return {
            update: true,
            reason: 'update-baseline is auto and this run is on the default branch; its inconclusive scenarios are left out',
        };
    }
    return { update: true, reason: 'update-baseline is auto and this passed run is on the default branch' };
}
/**
 * Why one scenario's run must not be recorded as the baseline; empty when it is sane. A run is sane
 * when k6 exited 0 (merged shards have no exit code), no threshold was crossed, failed requests and
 * checks are within the limits, and enough iterations completed.
 */
function recordProblems(input) {
    const { summary, limits } = input;
    const problems = [];
    if (input.exitCode !== undefined && input.exitCode !== 0)
        problems.push(`k6 exited ${input.exitCode}, not 0`);
    const crossed = summary.thresholds.filter((t) => !t.ok);
    if (crossed.length > 0)
        problems.push(`${crossed.length} threshold${crossed.length === 1 ? '' : 's'} crossed (${crossed.map((t) => `${t.metric}: ${t.expression}`).join(', ')})`);
    const failed = (0,_k6_summary_js__WEBPACK_IMPORTED_MODULE_0__/* .readStat */ .BV)(summary, 'http_req_failed', 'rate');
    if (failed !== undefined && failed > limits.maxFailedRate)
        problems.push(`http_req_failed is ${(0,_format_js__WEBPACK_IMPORTED_MODULE_5__/* .formatPercent */ .l9)(failed)}, above the ${(0,_format_js__WEBPACK_IMPORTED_MODULE_5__/* .formatPercent */ .l9)(limits.maxFailedRate)} limit`);
    const checks = (0,_k6_summary_js__WEBPACK_IMPORTED_MODULE_0__/* .readStat */ .BV)(summary, 'checks', 'rate');
    if (checks !== undefined && checks < limits.minChecksRate)
        problems.push(`checks passed ${(0,_format_js__WEBPACK_IMPORTED_MODULE_5__/* .formatPercent */ .l9)(checks)}, below the ${(0,_format_js__WEBPACK_IMPORTED_MODULE_5__/* .formatPercent */ .l9)(limits.minChecksRate)} limit`);
    const iterations = (0,_k6_summary_js__WEBPACK_IMPORTED_MODULE_0__/* .readStat */ .BV)(summary, 'iterations', 'count');
    if (iterations !== undefined && iterations < limits.minIterations)
        problems.push(`${iterations} iteration${iterations === 1 ? '' : 's'} completed, fewer than the ${limits.minIterations} needed`);
    else if (iterations === undefined && limits.minIterations > 0)
        problems.push('the summary has no iterations count (no iteration completed)');
    return problems;
}
/**
 * A warning for a run whose every request failed or whose every check failed: without a baseline
 * entry nothing flags it, so it would pass silently. Undefined for a healthy-looking run.
 */
function brokenRunWarning(key, summary, hasBaseline) {
    const failed = (0,_k6_summary_js__WEBPACK_IMPORTED_MODULE_0__/* .readStat */ .BV)(summary, 'http_req_failed', 'rate');
    const checks = (0,_k6_summary_js__WEBPACK_IMPORTED_MODULE_0__/* .readStat */ .BV)(summary, 'checks', 'rate');
    const what = [];
    if (failed !== undefined && failed >= 1)
        what.push('every request failed (http_req_failed = 100%)');
    if (checks !== undefined && checks <= 0)
        what.push('every check failed (checks = 0%)');
    if (what.length === 0)
        return undefined;
    return `${key}: ${what.join(' and ')}${hasBaseline ? '' : '; there is no baseline to compare with, so nothing else flags it'} — is the target up and the script right?`;
}
/**
 * The migration of a baseline written before keys named the environment (docs/adr/0002): every
 * history without an environment (`scenario@profile`) moves to `scenario@profile@<environment>`,
 * the environment its runs were measured against, which only the user knows. An entry that already
 * exists under the new key is an error rather than a silent merge of two histories.
 */
function migrateToEnvironment(baseline, environment, only) {
    if (environment.trim() === '')
        throw new _format_js__WEBPACK_IMPORTED_MODULE_1__/* .BaselineError */ .s$('environment is empty; expected the name of the environment the runs measured, e.g. staging');
    const out = { ...baseline, scenarios: {} };
    const moved = [];
    for (const [key, scenario] of Object.entries(baseline.scenarios)) {
        if (scenario.environment !== undefined || (only && only.length > 0 && !only.includes(key))) {
            out.scenarios[key] ??= cloneScenario(scenario);
            continue;
        }
        const to = (0,_format_js__WEBPACK_IMPORTED_MODULE_1__/* .baselineKey */ .x2)({ ...scenario, environment });
        if (baseline.scenarios[to]) {
            throw new _format_js__WEBPACK_IMPORTED_MODULE_1__/* .BaselineError */ .s$(`${key} cannot move to ${to}: the baseline already has ${to}; expected to merge them by hand or migrate only other keys`);
        }
        out.scenarios[to] = { ...cloneScenario(scenario), environment };
        moved.push({ from: key, to });
    }
    if (only) {
        const unknown = only.filter((key) => !baseline.scenarios[key]);
        if (unknown.length > 0)
            throw new _format_js__WEBPACK_IMPORTED_MODULE_1__/* .BaselineError */ .s$(`the baseline has no ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected one of ${Object.keys(baseline.scenarios).join(', ') || '(none)'}`);
    }
    return { baseline: out, moved };
}
/**
 * Histories recorded before environments were part of the key that a run in `environment` could
 * have been compared with; they are not used for it (another environment may have recorded them).
 */
function unmigratedKeysFor(baseline, scenario, profile) {
    const legacy = (0,_format_js__WEBPACK_IMPORTED_MODULE_1__/* .baselineKey */ .x2)({ scenario, profile });
    return baseline?.scenarios[legacy] && baseline.scenarios[legacy].environment === undefined ? [legacy] : [];
}
/**
 * Warnings about one scenario's run that the comparison itself does not give: every request or
 * check failed, or a watched metric's type/unit changed since the baseline recorded it.
 */
function runWarnings(key, summary, baseline, rules) {
    const entry = baseline?.scenarios[key];
    const warnings = [];
    const broken = brokenRunWarning(key, summary, entry !== undefined);
    if (broken)
        warnings.push(broken);
    for (const rule of rules.watch) {
        const changed = (0,_metric_kind_js__WEBPACK_IMPORTED_MODULE_2__/* .typeChangeWarning */ .Xk)(key, rule.metric, rule.stat, summary.metrics[rule.metric], entry?.metrics[rule.metric]?.[rule.stat]);
        if (changed)
            warnings.push(changed);
    }
    return warnings;
}
/** Why an inconclusive scenario's run is not recorded, in words (the one rule: never, whatever update-baseline says). */
function inconclusiveRefusal(key, why) {
    return `${key} is inconclusive (${why}): an inconclusive run is never recorded as the baseline, not even with update-baseline: force, because its numbers could not decide a verdict`;
}
/**
 * Which runs are recorded, given each one's recordProblems: sane runs always; the others only when
 * forced, each with a loud line; without force each refusal is a line saying why. A run whose
 * scenario is inconclusive (`inconclusive`: why) is never recorded, forced or not.
 */
function runsToRecord(candidates, forced) {
    const out = { kept: [], forcedLines: [], refusals: [] };
    for (const { run, problems, inconclusive } of candidates) {
        // Not even `force` records it: its numbers could not decide a verdict, so they cannot be the reference of later ones.
        if (inconclusive !== undefined)
            out.refusals.push(inconclusiveRefusal(run.key, inconclusive));
        else if (problems.length === 0)
            out.kept.push(run);
        else if (forced) {
            out.kept.push(run);
            out.forcedLines.push(`FORCED: ${run.key} recorded in the baseline although it is not a sane run (${problems.join('; ')}); later runs are compared with it`);
        }
        else {
            out.refusals.push(`${run.key} is not a sane run to compare with: ${problems.join('; ')} (the limits are \`record\` in the rules file; update-baseline: force records it anyway)`);
        }
    }
    return out;
}


/***/ }),

/***/ 7318:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _cancel_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(833);
/* harmony import */ var _cli_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5581);
// The CLI's process entry (bundled to dist/cli.js): runs main and exits with its status.


const cancellation = new _cancel_js__WEBPACK_IMPORTED_MODULE_1__/* .Cancellation */ .mT();
// The first SIGINT/SIGTERM stops a run gracefully (main returns 130/143); a second one, or one that
// comes when nothing can stop gracefully, exits at once (k6 is killed on exit).
(0,_cancel_js__WEBPACK_IMPORTED_MODULE_1__/* .listenForStopSignals */ .OV)(cancellation, (signal) => process.exit((0,_cancel_js__WEBPACK_IMPORTED_MODULE_1__/* .exitStatusForSignal */ .e3)(signal)));
const status = await (0,_cli_js__WEBPACK_IMPORTED_MODULE_0__/* .main */ .i)({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cancellation,
});
// Let pending writes to pipes finish before leaving.
process.stdout.write('', () => process.exit(status));

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 833:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   OV: () => (/* binding */ listenForStopSignals),
/* harmony export */   e3: () => (/* binding */ exitStatusForSignal),
/* harmony export */   mT: () => (/* binding */ Cancellation)
/* harmony export */ });
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'];
/** The shell convention: 128 + the signal's number. */
function exitStatusForSignal(signal) {
    return signal === 'SIGINT' ? 130 : 143;
}
class Cancellation {
    stopSignal;
    forcedStop = false;
    listeners = new Set();
    /** The signal that asked for the stop, once one did. */
    get signal() {
        return this.stopSignal;
    }
    get requested() {
        return this.stopSignal !== undefined;
    }
    /** True after a second request: stop at once, no grace. */
    get forced() {
        return this.forcedStop;
    }
    /** True while some work would stop gracefully on a request. */
    get hasListeners() {
        return this.listeners.size > 0;
    }
    /** The first request asks for a graceful stop, every later one for an immediate stop. */
    request(signal) {
        if (this.stopSignal === undefined)
            this.stopSignal = signal;
        else
            this.forcedStop = true;
        for (const listener of [...this.listeners])
            listener(this.stopSignal, this.forcedStop);
    }
    /** Calls `listener` on each request; returns the unsubscribe function. */
    onRequest(listener) {
        this.listeners.add(listener);
        return () => {
            this.listeners.delete(listener);
        };
    }
    /** Runs `work`, or gives up on it (resolving to `undefined`) as soon as a stop is requested. */
    async race(work) {
        if (this.requested)
            return undefined;
        let unsubscribe = () => { };
        const stopped = new Promise((resolve) => {
            unsubscribe = this.onRequest(() => resolve(undefined));
        });
        try {
            return await Promise.race([work, stopped]);
        }
        finally {
            unsubscribe();
        }
    }
}
/**
 * Feeds SIGINT/SIGTERM of this process into `cancellation`. A signal that finds nothing to stop
 * gracefully, or a second signal, calls `exitNow` (which ends the process). Returns the uninstall.
 */
function listenForStopSignals(cancellation, exitNow) {
    const handlers = STOP_SIGNALS.map((signal) => {
        const handler = () => {
            const graceful = !cancellation.requested && cancellation.hasListeners;
            cancellation.request(signal);
            if (!graceful)
                exitNow(cancellation.signal ?? signal);
        };
        process.on(signal, handler);
        return () => process.off(signal, handler);
    });
    return () => handlers.forEach((uninstall) => uninstall());
}


/***/ }),

/***/ 5581:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ main)
/* harmony export */ });
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2973);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3916);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(5625);
/* harmony import */ var _version_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(311);
/* harmony import */ var _commands_help_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(4875);
/* harmony import */ var _platform_registry_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7404);
// The k6-gate command line: the same pipeline as the action, for laptops and GitLab jobs.
// A thin dispatcher: each command lives in src/commands/<name>.ts. Exit status: 0 passed,
// 1 gate failed by policy, 2 error.






// Each command's module is loaded when the command runs, so `--version` and `--help` start in node's
// own time. `webpackMode: "eager"` keeps run, install and baseline in the main bundle (only their
// evaluation is deferred); the demo and operator-manifest land in chunk files (dist/cli.<id>.js) that
// other commands never compile (docs/architecture.md, "Start-up cost").
const load = {
    run: () => Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 4331)),
    install: () => Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 7049)),
    demo: () => Promise.all(/* import() */[__nccwpck_require__.e(977), __nccwpck_require__.e(118)]).then(__nccwpck_require__.bind(__nccwpck_require__, 2118)),
    baseline: () => Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 4551)),
    operatorManifest: () => Promise.all(/* import() */[__nccwpck_require__.e(815), __nccwpck_require__.e(655)]).then(__nccwpck_require__.bind(__nccwpck_require__, 2655)),
    collect: () => __nccwpck_require__.e(/* import() */ 48).then(__nccwpck_require__.bind(__nccwpck_require__, 3048)),
};
/** Runs the CLI and returns the exit status; never calls process.exit itself. */
async function main(io) {
    const [command, ...given] = io.argv;
    // Every command takes --verbose: it adds debug lines and the stack of an error.
    const verbose = given.includes('--verbose');
    const rest = given.filter((arg) => arg !== '--verbose');
    const log = (0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .createTerminalLogger */ .nH)({
        verbose,
        gitlabSections: (0,_platform_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .detectPlatform */ .l)(io.env).logSections === 'gitlab',
        write: (line) => io.stderr(`${line}\n`),
    });
    try {
        switch (command) {
            case undefined:
            case '--help':
            case '-h':
            case 'help':
                io.stdout(_commands_help_js__WEBPACK_IMPORTED_MODULE_3__/* .HELP */ ._);
                return command === undefined ? 2 : 0;
            case '--version':
            case '-v':
                io.stdout(`${_version_js__WEBPACK_IMPORTED_MODULE_5__/* .VERSION */ .x}\n`);
                return 0;
            case 'run':
                return await (await load.run()).commandRun(rest, io, log);
            case 'merge':
                return await (await load.run()).commandMerge(rest, io, log);
            case 'collect':
                return await (await load.collect()).commandCollect(rest, io, log);
            case 'operator-manifest':
                return await (await load.operatorManifest()).commandOperatorManifest(rest, io, log);
            case 'baseline':
                return await (await load.baseline()).runBaselineCommand(rest, io, log);
            case 'install':
                return await (await load.install()).commandInstall(rest, io, log);
            case 'demo':
                return await (await load.demo()).runDemo(rest, io, log);
            case 'demo-target':
                return await (await load.demo()).startDemoTargetFromFlags(rest, io, log);
            default:
                throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`unknown command ${JSON.stringify(command)}; expected run, merge, collect, operator-manifest, demo, demo-target, baseline or install (see k6-gate --help)`);
        }
    }
    catch (error) {
        log.error((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeFailure */ .Ic)(error, verbose));
        return 2;
    }
}


/***/ }),

/***/ 4551:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

// ESM COMPAT FLAG
__nccwpck_require__.r(__webpack_exports__);

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  runBaselineCommand: () => (/* binding */ runBaselineCommand)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/format.ts
var format = __nccwpck_require__(6264);
// EXTERNAL MODULE: ./src/baseline/trend.ts
var baseline_trend = __nccwpck_require__(4136);
// EXTERNAL MODULE: ./src/json.ts
var json = __nccwpck_require__(8301);
;// CONCATENATED MODULE: ./src/baseline/commands.ts



function unitOf(stat) {
    return stat.unit ?? 'none';
}
function pad(rows) {
    const widths = [];
    for (const row of rows)
        row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    return rows.map((row) => row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd());
}
function sortedKeys(object) {
    return Object.keys(object).sort(json/* compareCodeUnits */.U);
}
function range(stat) {
    if (stat.history.length === 0)
        return '-';
    const values = stat.history.map((e) => e.value);
    const unit = unitOf(stat);
    return `${(0,format/* formatValue */.Fl)(Math.min(...values), unit)} .. ${(0,format/* formatValue */.Fl)(Math.max(...values), unit)}`;
}
/** One table per scenario: accepted value, history size and range, last run's date, k6 version and commit. */
function renderBaselineShow(baseline, source = 'baseline') {
    if (!baseline)
        return `${source}: no baseline yet (the first run with update-baseline writes it)\n`;
    const keys = sortedKeys(baseline.scenarios);
    if (keys.length === 0)
        return `${source}: baseline format v${baseline.version}, no scenarios yet\n`;
    const lines = [
        `${source}: baseline format v${baseline.version}, ${keys.length} scenario${keys.length === 1 ? '' : 's'}${baseline.updatedAt ? `, updated ${baseline.updatedAt}` : ''}`,
    ];
    for (const key of keys) {
        const scenario = baseline.scenarios[key];
        lines.push('', `${key}${scenario.updatedAt ? ` (updated ${scenario.updatedAt})` : ''}`);
        const rows = [['  metric', 'stat', 'accepted', 'n', 'history range', 'last run']];
        for (const metric of sortedKeys(scenario.metrics)) {
            for (const statName of sortedKeys(scenario.metrics[metric])) {
                const stat = scenario.metrics[metric][statName];
                const last = stat.history.at(-1);
                const lastText = last
                    ? [last.date, last.k6Version && `k6 ${last.k6Version}`, last.commit?.slice(0, 8)].filter(Boolean).join(' ')
                    : '-';
                rows.push([`  ${metric}`, statName, (0,format/* formatValue */.Fl)(stat.accepted, unitOf(stat)), String(stat.history.length), range(stat), lastText]);
            }
        }
        if (rows.length === 1)
            lines.push('  (no metrics)');
        else
            lines.push(...pad(rows));
    }
    return `${lines.join('\n')}\n`;
}
/**
 * What changed from `before` to `after`: scenarios and stats added or removed, accepted values that
 * moved (with the relative change), and history growth. Empty differences say so in one line.
 */
function diffBaselines(before, after) {
    const a = before?.scenarios ?? {};
    const b = after?.scenarios ?? {};
    const lines = [];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (const key of keys) {
        if (!a[key]) {
            const count = Object.values(b[key].metrics).reduce((n, stats) => n + Object.keys(stats).length, 0);
            lines.push(`+ ${key}: new scenario with ${count} stat${count === 1 ? '' : 's'}`);
            continue;
        }
        if (!b[key]) {
            lines.push(`- ${key}: scenario removed`);
            continue;
        }
        const metrics = [...new Set([...Object.keys(a[key].metrics), ...Object.keys(b[key].metrics)])].sort();
        const scenarioLines = [];
        for (const metric of metrics) {
            const sa = a[key].metrics[metric] ?? {};
            const sb = b[key].metrics[metric] ?? {};
            for (const stat of [...new Set([...Object.keys(sa), ...Object.keys(sb)])].sort()) {
                const x = sa[stat];
                const y = sb[stat];
                const label = `${metric} ${stat}`;
                if (!x && y)
                    scenarioLines.push(`  + ${label}: ${(0,format/* formatValue */.Fl)(y.accepted, unitOf(y))} (n=${y.history.length})`);
                else if (x && !y)
                    scenarioLines.push(`  - ${label}: was ${(0,format/* formatValue */.Fl)(x.accepted, unitOf(x))} (n=${x.history.length})`);
                else if (x && y) {
                    const unit = y.unit ?? x.unit ?? 'none';
                    const moved = x.accepted !== y.accepted;
                    const historyChanged = JSON.stringify(x.history) !== JSON.stringify(y.history);
                    if (!moved && !historyChanged)
                        continue;
                    const change = moved ? (x.accepted !== 0 ? ` (${(0,format/* formatChange */.eD)(y.accepted / x.accepted - 1)})` : '') : ' (accepted unchanged)';
                    const value = moved ? `${(0,format/* formatValue */.Fl)(x.accepted, unit)} -> ${(0,format/* formatValue */.Fl)(y.accepted, unit)}` : (0,format/* formatValue */.Fl)(y.accepted, unit);
                    scenarioLines.push(`  ~ ${label}: ${value}${change}, n=${x.history.length} -> ${y.history.length}`);
                }
            }
        }
        if (scenarioLines.length > 0)
            lines.push(`~ ${key}`, ...scenarioLines);
    }
    if (lines.length === 0)
        return 'baselines are the same\n';
    return `${lines.join('\n')}\n`;
}
/**
 * `baseline show --changes`: the change points of every stat in each scenario's trend
 * (src/baseline/trend.ts), naming the commit of the first run on the new level and the step.
 */
function renderBaselineChanges(baseline, source = 'baseline') {
    if (!baseline)
        return `${source}: no baseline yet (the first run with update-baseline writes it)\n`;
    const lines = [
        `${source}: change points in the trend (a level held by ≥ ${baseline_trend/* MIN_SEGMENT */.$j} runs on each side, penalty ${baseline_trend/* STEP_PENALTY */.F4} ln n per step, shift ≥ ${baseline_trend/* MIN_RELATIVE_SHIFT */.p1 * 100}%)`,
    ];
    let withTrend = 0;
    for (const key of sortedKeys(baseline.scenarios)) {
        const scenario = baseline.scenarios[key];
        const trend = scenario.trend;
        if (!trend || trend.runs.length === 0)
            continue;
        withTrend++;
        const rows = [];
        for (const stat of trend.stats) {
            const [metric, statName] = [stat.slice(0, stat.lastIndexOf(' ')), stat.slice(stat.lastIndexOf(' ') + 1)];
            const unit = scenario.metrics[metric]?.[statName]?.unit ?? 'none';
            const values = (0,baseline_trend/* trendSeries */.h)(trend, stat).map((p) => p.value);
            for (const c of (0,baseline_trend/* findChangePoints */.ho)(trend, stat)) {
                rows.push([
                    stat,
                    `stepped ${(0,format/* formatChange */.eD)(c.change)}`,
                    `at ${c.commit ?? '(no commit)'} (${c.date}, run ${c.index + 1} of ${values.length})`,
                    `${(0,format/* formatValue */.Fl)(c.before, unit)} → ${(0,format/* formatValue */.Fl)(c.after, unit)}`,
                ]);
            }
        }
        lines.push('', `${key} (${trend.runs.length} runs, ${trend.runs[0].date} .. ${trend.runs[trend.runs.length - 1].date})`);
        if (rows.length === 0)
            lines.push('  no change points');
        else
            lines.push(...pad(rows).map((row) => `  ${row}`));
    }
    if (withTrend === 0)
        lines.push('', 'no scenario has a trend yet (runs recorded with update-baseline add one row each)');
    return `${lines.join('\n')}\n`;
}

// EXTERNAL MODULE: ./src/baseline/format.ts
var baseline_format = __nccwpck_require__(8860);
// EXTERNAL MODULE: ./src/baseline/store.ts
var store = __nccwpck_require__(4494);
// EXTERNAL MODULE: ./src/baseline/rules.ts
var baseline_rules = __nccwpck_require__(1568);
// EXTERNAL MODULE: ./src/baseline/update.ts
var update = __nccwpck_require__(6054);
// EXTERNAL MODULE: ./src/config.ts
var src_config = __nccwpck_require__(2973);
// EXTERNAL MODULE: ./src/input-spec.ts
var input_spec = __nccwpck_require__(2523);
// EXTERNAL MODULE: ./src/k6/summary.ts
var k6_summary = __nccwpck_require__(817);
// EXTERNAL MODULE: ./src/scenarios.ts
var scenarios = __nccwpck_require__(4096);
;// CONCATENATED MODULE: ./src/commands/baseline.ts
// `k6-gate baseline show | diff | update`: look at and maintain the baseline file by hand.











const HELP = `k6-gate baseline show [--baseline FILE] [--changes]
  Prints the accepted values and history of every scenario in the baseline. --changes: the commits
  where a watched stat stepped in the long trend, and by how much (docs/baseline.md).
k6-gate baseline diff OLD NEW
  Prints what changed between two baseline files (e.g. before and after a run); both must exist.
k6-gate baseline update --summary FILE --scenario NAME [--profile P] [--environment E] [--baseline FILE]
                        [--config FILE] [--k6-version V] [--commit SHA] [--ref REF]
  Records one k6 summary export (e.g. summary-<scenario>.json from a run's artifacts) into the
  baseline history and prints the change. Use it to accept a run the gate did not record itself.
k6-gate baseline migrate --environment E [--key KEY]... [--baseline FILE]
  Moves histories recorded before baseline keys named the environment (scenario@profile) to
  scenario@profile@E. Name the environment those runs measured; --key limits the move.
`;
async function runBaselineCommand(args, io, log) {
    const [sub, ...rest] = args;
    const parsed = (0,src_config/* parseCommandArgs */.Qx)({
        baseline: { type: 'string' },
        summary: { type: 'string' },
        scenario: { type: 'string' },
        profile: { type: 'string' },
        environment: { type: 'string' },
        key: { type: 'string', multiple: true },
        config: { type: 'string' },
        'k6-version': { type: 'string' },
        commit: { type: 'string' },
        ref: { type: 'string' },
        changes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
    }, rest, 'baseline');
    const { values, positionals } = parsed;
    if (sub === undefined || sub === '--help' || sub === '-h' || values.help) {
        io.stdout(HELP);
        return sub === undefined ? 2 : 0;
    }
    const baselineFile = (0,src_config/* insideWorkspace */.CT)('baseline', values.baseline ?? src_config/* DEFAULT_BASELINE_PATH */.Gf, io.cwd);
    try {
        return await baselineSubcommand(sub, values, positionals, baselineFile, io, log);
    }
    catch (error) {
        // A bad or unwritable baseline is bad input: a message, never a stack.
        if (error instanceof baseline_format/* BaselineError */.s$)
            throw new src_config/* ConfigError */.xL(error.message, { cause: error });
        throw error;
    }
}
/** A baseline file that must exist (diff compares two files: a missing one is a typo, not "empty"). */
async function loadExistingBaseline(file, shown) {
    const baseline = await (0,baseline_format/* loadBaseline */.oU)(file);
    if (!baseline)
        throw new src_config/* ConfigError */.xL(`baseline ${shown} does not exist; expected a baseline JSON file`);
    return baseline;
}
const SUBCOMMANDS = {
    show: showBaseline,
    diff: diffBaselineFiles,
    update: recordSummary,
    migrate: migrateBaseline,
};
async function baselineSubcommand(sub, values, positionals, baselineFile, io, log) {
    const subcommand = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
    if (!subcommand)
        throw new src_config/* ConfigError */.xL(`unknown baseline command ${JSON.stringify(sub)}; expected show, diff, update or migrate`);
    return subcommand({ values, positionals, baselineFile, io, log });
}
/** A flag's text; empty means not given. */
function baseline_text(values, name) {
    return (0,src_config/* optional */.lq)(values[name]);
}
async function showBaseline({ values, baselineFile, io }) {
    const render = values.changes ? renderBaselineChanges : renderBaselineShow;
    io.stdout(render(await (0,baseline_format/* loadBaseline */.oU)(baselineFile), external_node_path_default().relative(io.cwd, baselineFile)));
    return 0;
}
async function diffBaselineFiles({ positionals, io }) {
    if (positionals.length !== 2)
        throw new src_config/* ConfigError */.xL(`baseline diff takes two files (OLD NEW), got ${positionals.length}; see k6-gate baseline --help`);
    const before = await loadExistingBaseline(external_node_path_default().resolve(io.cwd, positionals[0]), positionals[0]);
    const after = await loadExistingBaseline(external_node_path_default().resolve(io.cwd, positionals[1]), positionals[1]);
    io.stdout(diffBaselines(before, after));
    return 0;
}
/** `baseline update`: one k6 summary export recorded into the baseline history. */
async function recordSummary({ values, baselineFile, io, log }) {
    const summaryFile = baseline_text(values, 'summary');
    const scenario = baseline_text(values, 'scenario');
    if (!summaryFile || !scenario) {
        throw new src_config/* ConfigError */.xL('baseline update needs --summary FILE (a k6 summary export) and --scenario NAME; see k6-gate baseline --help');
    }
    const nameProblem = (0,scenarios/* scenarioNameProblem */.dT)(scenario);
    if (nameProblem)
        throw new src_config/* ConfigError */.xL(`${nameProblem}; expected a name without "@" or white space, e.g. checkout`);
    // Checked before anything is read: a history entry says which k6 measured it.
    const givenVersion = baseline_text(values, 'k6-version');
    const k6Version = givenVersion !== undefined ? (0,input_spec/* parseInput */.CU)('k6-version', givenVersion) : undefined;
    const summary = (0,k6_summary/* parseSummary */.W6)(await readSummaryFile(external_node_path_default().resolve(io.cwd, summaryFile), summaryFile), summaryFile);
    const config = baseline_text(values, 'config');
    const rules = await (0,baseline_rules/* loadRules */.A7)(config ? (0,src_config/* insideWorkspace */.CT)('config', config, io.cwd) : undefined);
    const parts = { scenario, profile: baseline_text(values, 'profile'), environment: baseline_text(values, 'environment') };
    const key = (0,baseline_format/* baselineKey */.x2)(parts);
    const run = {
        key,
        ...parts,
        summary,
        k6Version: k6Version ?? summary.k6Version ?? 'unknown',
        commit: baseline_text(values, 'commit'),
        ref: baseline_text(values, 'ref'),
        date: new Date().toISOString(),
    };
    const { before, after, written } = await (0,store/* updateBaselineFile */.L3)(baselineFile, (current) => (0,update/* updateBaseline */.Rz)(current, [run], rules), { log });
    const isLink = (await (0,promises_.lstat)(baselineFile).catch(() => undefined))?.isSymbolicLink() ?? false;
    const through = isLink ? ` (a link: written to ${written}, the link kept)` : '';
    log.info(`k6-gate: recorded ${summaryFile} as ${key} in ${external_node_path_default().relative(io.cwd, baselineFile)}${through}`);
    io.stdout(diffBaselines(before, after));
    return 0;
}
async function readSummaryFile(file, shown) {
    try {
        return await (0,promises_.readFile)(file, 'utf8');
    }
    catch (error) {
        throw new src_config/* ConfigError */.xL(`summary ${shown} cannot be read (${error.code ?? error.message}); expected a k6 --summary-export file`);
    }
}
/** `baseline migrate`: histories recorded before keys named the environment moved under it. */
async function migrateBaseline({ values, baselineFile, io, log }) {
    const environment = baseline_text(values, 'environment');
    if (!environment)
        throw new src_config/* ConfigError */.xL('baseline migrate needs --environment NAME: the environment the existing histories measured');
    const shown = external_node_path_default().relative(io.cwd, baselineFile);
    await loadExistingBaseline(baselineFile, shown);
    let moved = [];
    const { before, after } = await (0,store/* updateBaselineFile */.L3)(baselineFile, (current) => {
        const migrated = (0,update/* migrateToEnvironment */._i)(current, environment, values.key);
        moved = migrated.moved;
        return migrated.baseline;
    }, { log });
    log.info(moved.length === 0
        ? `k6-gate: ${shown} has no history without an environment; nothing moved`
        : `k6-gate: moved ${moved.map((m) => `${m.from} -> ${m.to}`).join(', ')} in ${shown}`);
    io.stdout(diffBaselines(before, after));
    return 0;
}


/***/ }),

/***/ 4875:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   _: () => (/* binding */ HELP)
/* harmony export */ });
/* harmony import */ var _input_spec_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2523);
/* harmony import */ var _version_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(311);
// The CLI's top-level help (`k6-gate --help`, `k6-gate run --help`); the options come from the
// input specification (src/input-spec.ts).


const HELP = `k6-gate ${_version_js__WEBPACK_IMPORTED_MODULE_1__/* .VERSION */ .x} — load-test regression gate around k6

Usage:
  k6-gate run <scenario...> [options]   run scenarios, compare with the baseline, report, gate
  k6-gate demo [--slowdown 50%]         start the bundled demo target and gate a smoke run against it
  k6-gate demo-target [--port 8080]     run the demo target in the foreground (Ctrl-C stops it)
  k6-gate install [--k6-version V]      install k6 and print its path
  k6-gate baseline show|diff|update     look at or maintain the baseline file
  k6-gate merge <scenario...> --from DIR [options]
                                        gate a sharded run: merge the shards' state files under DIR
                                        (k6-<scenario>.shard-*.json.gz), then compare and report
  k6-gate collect <scenario> --run-id ID --runners N --token-env NAME
                                        receive N k6 runners' remote-write pushes, then gate them
                                        merged like merge (see collect --help)
  k6-gate operator-manifest <scenario> --name NAME --parallelism N
                                        write a k6-operator TestRun (see operator-manifest --help)
  k6-gate --help | --version

A scenario is a bundled name (http-endpoints, crud-flow, jsonrpc, websocket, user-flow) or a
path to your own k6 script; name=path sets the name used in reports and the baseline (no "@", no
spaces). Words and commas separate scenarios; a path holding a comma or a new line is written as a
JSON string, e.g. '"load,v2/a.js"'.

Run options:
${(0,_input_spec_js__WEBPACK_IMPORTED_MODULE_0__/* .renderFlagHelp */ .i6)('run')}
Exit status: 0 passed, 1 the gate failed by policy, 2 error (k6 or the target could not run, bad input),
130/143 stopped by SIGINT/SIGTERM (k6 is stopped and the partial results are written; a second signal stops at once).
`;


/***/ }),

/***/ 7049:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.r(__webpack_exports__);
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   commandInstall: () => (/* binding */ commandInstall)
/* harmony export */ });
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2973);
/* harmony import */ var _input_spec_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(2523);
/* harmony import */ var _inputs_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3445);
/* harmony import */ var _k6_install_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2925);
// `k6-gate install`: install k6 (or find it in the tool cache) and print its path. Its flags are the
// k6 inputs of the input specification, read by the same reader as a run's.




async function commandInstall(args, io, log) {
    const { values } = (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseCommandArgs */ .Qx)((0,_input_spec_js__WEBPACK_IMPORTED_MODULE_1__/* .parseArgsOptions */ .dm)('install'), (0,_input_spec_js__WEBPACK_IMPORTED_MODULE_1__/* .normaliseArgv */ .N9)('install', args), 'install', false);
    if (values.help) {
        io.stdout(`k6-gate install [options]\nPrints the path of the installed k6 on stdout.\n\n${(0,_input_spec_js__WEBPACK_IMPORTED_MODULE_1__/* .renderFlagHelp */ .i6)('install')}`);
        return 0;
    }
    const inputs = (0,_input_spec_js__WEBPACK_IMPORTED_MODULE_1__/* .inputsFromFlags */ .h$)('install', values, []);
    const installed = await (0,_k6_install_js__WEBPACK_IMPORTED_MODULE_3__/* .installK6 */ .XT)((0,_inputs_js__WEBPACK_IMPORTED_MODULE_2__/* .readK6Options */ .G1)((name) => inputs[name], io.cwd), log);
    log.info(`k6 ${installed.version} ready (${installed.source}): ${installed.path}`);
    io.stdout(`${installed.path}\n`);
    return 0;
}


/***/ }),

/***/ 4331:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.r(__webpack_exports__);
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   commandMerge: () => (/* binding */ commandMerge),
/* harmony export */   commandRun: () => (/* binding */ commandRun),
/* harmony export */   gateAndPublish: () => (/* binding */ gateAndPublish)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _cancel_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(833);
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(2973);
/* harmony import */ var _input_spec_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(2523);
/* harmony import */ var _inputs_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3445);
/* harmony import */ var _k6_preflight_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(2846);
/* harmony import */ var _help_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(4875);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(3916);
/* harmony import */ var _platform_registry_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(7404);
// `k6-gate run` and `k6-gate merge`: flags → the same named inputs as the action → Config → runGate.









/** The command's flags from the input specification, read with node's parseArgs (strict). */
function parseRunFlags(command, args) {
    const { values, positionals } = (0,_config_js__WEBPACK_IMPORTED_MODULE_1__/* .parseCommandArgs */ .Qx)((0,_input_spec_js__WEBPACK_IMPORTED_MODULE_2__/* .parseArgsOptions */ .dm)(command), (0,_input_spec_js__WEBPACK_IMPORTED_MODULE_2__/* .normaliseArgv */ .N9)(command, args), undefined);
    return { values, inputs: (0,_input_spec_js__WEBPACK_IMPORTED_MODULE_2__/* .inputsFromFlags */ .h$)(command, values, positionals) };
}
async function commandRun(args, io, log, command = 'run') {
    const platform = (0,_platform_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .detectPlatform */ .l)(io.env);
    // Bad input: the change request's sticky comment says so instead of keeping the last report.
    const reportBadInput = async (error) => {
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .isExpectedError */ .BI)(error))
            await platform.publishFailure(error.message, { log, env: io.env });
        throw error;
    };
    const { values, inputs } = await Promise.resolve()
        .then(() => parseRunFlags(command, args))
        .catch(reportBadInput);
    if (values.help) {
        io.stdout(_help_js__WEBPACK_IMPORTED_MODULE_5__/* .HELP */ ._);
        return 0;
    }
    const { config, publish } = await (0,_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .readInputs */ .Ko)((name) => inputs[name], {
        workspace: io.cwd,
        env: io.env,
        ...platform.facts(io.env),
        resultsDirAnywhere: true,
    }).catch(reportBadInput);
    return gateAndPublish({ config, publish }, { json: values.json === true }, io, log, platform);
}
/**
 * The gate for a Config read from the flags, published to the platform, printed, and turned into
 * the exit status: what `run`, `merge` and `collect` share once their inputs are read.
 */
async function gateAndPublish({ config, publish }, values, io, log, platform = (0,_platform_registry_js__WEBPACK_IMPORTED_MODULE_7__/* .detectPlatform */ .l)(io.env)) {
    // The target's health check starts before the gate's modules are loaded and evaluated (most of
    // a short run's start-up), so the target's answer is awaited meanwhile; runGate waits for it before
    // k6 starts. Its request is sent first: evaluating modules holds the thread that writes it.
    const preflight = (0,_k6_preflight_js__WEBPACK_IMPORTED_MODULE_4__/* .startPreflight */ .os)(config, log);
    await preflight?.sent;
    const [{ exitStatusFor, runGate, wroteResults }, { renderMarkdownReport }] = await Promise.all([
        Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 6959)),
        Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 6267)),
    ]);
    const result = await runGate(config, log, { cancellation: io.cancellation, preflight });
    await platform.publish(result, {
        resultsDir: config.resultsDir,
        log,
        env: io.env,
        baseline: config.proposeBaseline && { proposal: config.proposeBaseline, file: config.baselinePath, workspace: config.workspace },
        mrNote: publish.mrNote,
        dotenvPrefix: publish.dotenvPrefix,
        noteId: publish.commentId,
    });
    io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderMarkdownReport(result));
    if (wroteResults(result))
        log.info(`k6-gate: results in ${node_path__WEBPACK_IMPORTED_MODULE_0___default().relative(io.cwd, config.resultsDir) || '.'}/ (report.md, comparison.json, summaries, k6 logs${result.scenarios.some((s) => s.files.html) ? ', HTML reports' : ''})`);
    if (result.cancelled) {
        log.warning(`k6-gate: cancelled by ${result.cancelled}; the partial results are written`);
        return (0,_cancel_js__WEBPACK_IMPORTED_MODULE_8__/* .exitStatusForSignal */ .e3)(result.cancelled);
    }
    return exitStatusFor(result);
}
/** `k6-gate merge`: a run whose summaries come from the shards' files under --from. */
async function commandMerge(args, io, log) {
    if (!args.some((a) => a === '--from' || a.startsWith('--from=')) && !args.includes('--help')) {
        throw new _config_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigError */ .xL("merge needs --from DIR: the folder holding the shards' state-<scenario>.shard-<i>-of-<N>.json files (or their k6-<scenario>.shard-<i>-of-<N>.json.gz raw samples)");
    }
    return commandRun(args, io, log, 'merge');
}


/***/ }),

/***/ 4660:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F1: () => (/* binding */ jsonSyntaxProblem),
/* harmony export */   RG: () => (/* binding */ readConfigFile),
/* harmony export */   Yi: () => (/* binding */ withoutByteOrderMark)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
// Reading a file a user wrote to configure k6-gate (the rules file, the environments file): JSON,
// or YAML for .yaml/.yml, a UTF-8 byte order mark skipped, and every way it can fail said in one
// shape — "<label> <file> does not exist | cannot be read (EACCES) | is not valid JSON (…);
// expected <what>". A JSON syntax error names the line and column but never quotes the file:
// Node's own message shows its first characters, and the file may not be what it claims (a link
// to a file of secrets). The baseline file uses the same JSON description (baseline/format.ts).

/** A sentence for a JSON.parse error that never quotes the text it failed on. */
function jsonSyntaxProblem(error, text) {
    const message = error.message;
    if (/end of JSON input/i.test(message))
        return 'it ends in the middle of a value';
    const position = /at position (\d+)/.exec(message);
    const what = /^Unexpected token/.test(message)
        ? 'an unexpected character'
        : message.replace(/ in JSON at position.*$/s, '').replace(/"[^"]*"/g, '…');
    if (!position)
        return what;
    const before = text.slice(0, Number(position[1]));
    return `${what} at line ${before.split('\n').length}, column ${Number(position[1]) - before.lastIndexOf('\n')}`;
}
/** The text without a leading UTF-8 byte order mark, which some Windows editors write. */
function withoutByteOrderMark(text) {
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
/** Reads and parses a JSON or YAML configuration file; any failure is `options.error(message)`. */
async function readConfigFile(file, options) {
    const { label, expected } = options;
    let text;
    try {
        text = withoutByteOrderMark(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(file, 'utf8'));
    }
    catch (error) {
        const code = error.code;
        throw options.error(code === 'ENOENT'
            ? `${label} ${file} does not exist; expected ${expected}`
            : `${label} ${file} cannot be read (${code ?? error.message}); expected ${expected}`);
    }
    const yaml = /\.ya?ml$/i.test(file);
    try {
        // yaml is loaded only for a YAML file: it is a large module to evaluate at every start.
        return yaml ? (await __nccwpck_require__.e(/* import() */ 815).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8815, 19))).parse(text) : JSON.parse(text);
    }
    catch (error) {
        const detail = yaml ? error.message.split('\n')[0].replace(/:$/, '') : jsonSyntaxProblem(error, text);
        throw options.error(`${label} ${file} is not valid ${yaml ? 'YAML' : 'JSON'} (${detail}); expected ${expected}`);
    }
}


/***/ }),

/***/ 2973:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   CT: () => (/* binding */ insideWorkspace),
/* harmony export */   E1: () => (/* binding */ parseList),
/* harmony export */   Er: () => (/* binding */ parseTimeLimit),
/* harmony export */   Gf: () => (/* binding */ DEFAULT_BASELINE_PATH),
/* harmony export */   Jj: () => (/* binding */ isDuet),
/* harmony export */   Qx: () => (/* binding */ parseCommandArgs),
/* harmony export */   U4: () => (/* binding */ parseUpdateBaseline),
/* harmony export */   WS: () => (/* binding */ parseEnvPairs),
/* harmony export */   X1: () => (/* binding */ quoteArg),
/* harmony export */   XV: () => (/* binding */ parseFailOn),
/* harmony export */   dN: () => (/* binding */ realPathOf),
/* harmony export */   e5: () => (/* binding */ parseInstallMethod),
/* harmony export */   fE: () => (/* binding */ parseK6Version),
/* harmony export */   jn: () => (/* binding */ parseBaselineProposal),
/* harmony export */   lq: () => (/* binding */ optional),
/* harmony export */   ns: () => (/* binding */ DEFAULT_RESULTS_DIR),
/* harmony export */   sG: () => (/* binding */ splitArgs),
/* harmony export */   ti: () => (/* binding */ DEFAULT_K6_VERSION),
/* harmony export */   xL: () => (/* reexport safe */ _errors_js__WEBPACK_IMPORTED_MODULE_3__.xL),
/* harmony export */   yG: () => (/* binding */ parseBoolean)
/* harmony export */ });
/* unused harmony exports parseDuration, MAX_TIME_LIMIT_MS, MIN_TIME_LIMIT_MS */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3916);
// The one typed configuration that both entries (action inputs, CLI flags) produce and the
// gate consumes. Parsing helpers here are shared by both entries so that an input means the
// same thing everywhere.




/** Bad input (errors.ts); re-exported here, where inputs are parsed. */

/**
 * The run is an A/B duet (baseline-target set, ab-design duet): A and B are measured at the same
 * time and compared with each other; the baseline file is neither read for the verdict nor written.
 */
function isDuet(config) {
    return config.baselineTarget !== undefined && config.abDesign !== 'abba';
}
/** Empty input means "not set". */
function optional(value) {
    if (value === undefined || value === null)
        return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
}
const DEFAULT_K6_VERSION = '2.2.0';
const DEFAULT_RESULTS_DIR = 'k6-gate-results';
const DEFAULT_BASELINE_PATH = 'k6-baseline.json';
/** `v2.2.0` or `2.2.0` → `2.2.0`; anything else is a clear error. */
function parseK6Version(value) {
    const match = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(value.trim());
    if (!match) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`k6-version ${JSON.stringify(value)} is not a version; expected X.Y.Z such as "${DEFAULT_K6_VERSION}" (a leading "v" is fine)`);
    }
    return value.trim().replace(/^v/, '');
}
function parseFailOn(value) {
    const text = optional(value);
    if (text === undefined)
        return ['regression', 'thresholds'];
    if (text === 'none' || text === 'never')
        return [];
    const out = [];
    for (const part of text.split(/[\s,]+/).filter(Boolean)) {
        const word = part === 'regressions' ? 'regression' : part === 'threshold' ? 'thresholds' : part;
        if (word !== 'regression' && word !== 'thresholds' && word !== 'inconclusive') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`fail-on ${JSON.stringify(text)}: unknown word ${JSON.stringify(part)}; expected a comma list of "regression", "thresholds" and "inconclusive", or "none"`);
        }
        if (!out.includes(word))
            out.push(word);
    }
    return out;
}
function parseInstallMethod(value) {
    const text = optional(value) ?? 'auto';
    if (text === 'auto' || text === 'release' || text === 'go' || text === 'path')
        return text;
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`k6-install ${JSON.stringify(text)} is not a method; expected one of auto, release, go, path`);
}
/**
 * `true` means `auto` in CI (a baseline learns only from the default branch) and `always` on a
 * laptop, where asking for it is the decision.
 */
function parseUpdateBaseline(value, trueMeans = 'always') {
    // Only the documented words: a near miss ("yes", "on") is a typo to report, not a guess to make.
    const text = optional(value)?.toLowerCase();
    if (text === undefined || text === 'false' || text === 'never')
        return 'never';
    if (text === 'true')
        return trueMeans;
    if (text === 'always' || text === 'auto' || text === 'force')
        return text;
    // A proposal records like `always` (passed or regressed runs); the change request is the review.
    if (parseBaselineProposal(text))
        return 'always';
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`update-baseline ${JSON.stringify(value)} is not valid; expected false, true, auto (default branch only), always (passed or regressed runs), force (any run), or pull-request / merge-request (propose the updated file in a pull or merge request)`);
}
function parseBaselineProposal(value) {
    const text = optional(value)?.toLowerCase();
    return text === 'pull-request' || text === 'merge-request' ? text : undefined;
}
function parseBoolean(name, value, fallback) {
    const text = optional(value)?.toLowerCase();
    if (text === undefined)
        return fallback;
    if (['true', 'yes', '1', 'on'].includes(text))
        return true;
    if (['false', 'no', '0', 'off'].includes(text))
        return false;
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`${name} ${JSON.stringify(value)} is not a boolean; expected true or false`);
}
/** `30s`, `5m`, `1h30m`, `1500ms` or a bare number of seconds → milliseconds. */
function parseDuration(name, value) {
    const text = optional(value);
    if (text === undefined)
        return undefined;
    if (/^\d+(\.\d+)?$/.test(text))
        return Number(text) * 1000;
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    let total = 0;
    let matched = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]];
        total += Number(m[1]) * factor;
        matched = re.lastIndex;
    }
    if (matched !== text.length || matched === 0) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`${name} ${JSON.stringify(text)} is not a duration; expected e.g. "90s", "5m", "1h30m"`);
    }
    return total;
}
/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms. */
const MAX_TIME_LIMIT_MS = 24 * 24 * 3_600_000;
/** A limit shorter than this stops k6 before it has started. */
const MIN_TIME_LIMIT_MS = 1000;
/**
 * A duration used as a time limit: at least a second, at most 24 days; unset means no limit.
 * `tooShort` says what a shorter limit would do and the way out (the default: a k6 time limit).
 */
function parseTimeLimit(name, value, tooShort) {
    const ms = parseDuration(name, value);
    if (ms === undefined)
        return undefined;
    if (ms < MIN_TIME_LIMIT_MS) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`${name} ${JSON.stringify(optional(value))} is shorter than 1s and ${tooShort ?? `would stop k6 before it starts; expected e.g. "90s", "30m", or no ${name} for no limit`}`);
    }
    if (ms > MAX_TIME_LIMIT_MS) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`${name} ${JSON.stringify(optional(value))} is longer than 24 days, the longest limit k6-gate can keep; expected e.g. "2h", or no ${name} for no limit`);
    }
    return ms;
}
/** Splits a list input written one per line or comma separated. */
function parseList(text) {
    return (text ?? '')
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean);
}
/**
 * Splits a command line the way a POSIX shell splits words (quotes, backslashes), without running
 * a shell: `$(cmd)` and `$VAR` stay literal text.
 */
function splitArgs(text) {
    const input = text ?? '';
    const out = [];
    let current = '';
    let inWord = false;
    let quote;
    for (let i = 0; i < input.length; i++) {
        const ch = input[i];
        if (quote === "'") {
            if (ch === "'")
                quote = undefined;
            else
                current += ch;
            continue;
        }
        if (quote === '"') {
            if (ch === '"')
                quote = undefined;
            else if (ch === '\\' && i + 1 < input.length && '"\\$`\n'.includes(input[i + 1]))
                current += input[++i];
            else
                current += ch;
            continue;
        }
        if (ch === "'" || ch === '"') {
            quote = ch;
            inWord = true;
        }
        else if (ch === '\\' && i + 1 < input.length) {
            current += input[++i];
            inWord = true;
        }
        else if (/\s/.test(ch)) {
            if (inWord)
                out.push(current);
            current = '';
            inWord = false;
        }
        else {
            current += ch;
            inWord = true;
        }
    }
    if (quote)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`unterminated ${quote} quote in ${JSON.stringify(input)}`);
    if (inWord)
        out.push(current);
    return out;
}
/** One word quoted so that `splitArgs` gives it back unchanged (the inverse of splitting one word). */
function quoteArg(word) {
    return word !== '' && !/[\s"'\\]/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
/** `KEY=VALUE` lines or comma/space separated pairs → a map; values may contain `=`. */
function parseEnvPairs(name, text) {
    const out = {};
    for (const line of splitArgs((text ?? '').replace(/\r?\n/g, ' '))) {
        const eq = line.indexOf('=');
        const key = eq > 0 ? line.slice(0, eq) : '';
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`${name}: ${JSON.stringify(line)} is not KEY=VALUE; expected e.g. "VUS=5 DURATION=30s"`);
        }
        out[key] = line.slice(eq + 1);
    }
    return out;
}
/**
 * Where a path really leads, links followed: the real path of its longest existing part plus the
 * rest (a file not written yet), a dangling link followed to where it points.
 */
function realPathOf(p, depth = 0) {
    try {
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)(p);
    }
    catch {
        try {
            if (depth < 40 && (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.lstatSync)(p).isSymbolicLink())
                return realPathOf(node_path__WEBPACK_IMPORTED_MODULE_1___default().resolve(node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname(p), (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readlinkSync)(p)), depth + 1);
        }
        catch {
            // not there at all: resolved through its parent below
        }
        const parent = node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname(p);
        return parent === p ? p : node_path__WEBPACK_IMPORTED_MODULE_1___default().join(realPathOf(parent, depth + 1), node_path__WEBPACK_IMPORTED_MODULE_1___default().basename(p));
    }
}
/**
 * Resolves `p` against the workspace and refuses a path that leaves it, also through a symbolic
 * link (`ln -s /etc/passwd b.json`): links are followed before the check.
 */
function insideWorkspace(name, p, workspace) {
    const resolved = node_path__WEBPACK_IMPORTED_MODULE_1___default().resolve(workspace, p);
    const outside = (file, root) => {
        const relative = node_path__WEBPACK_IMPORTED_MODULE_1___default().relative(root, file);
        return relative.startsWith('..') || node_path__WEBPACK_IMPORTED_MODULE_1___default().isAbsolute(relative);
    };
    if (outside(resolved, workspace)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`${name} ${JSON.stringify(p)} resolves to ${resolved}, outside the workspace ${workspace}; expected a path inside it`);
    }
    const real = realPathOf(resolved);
    if (outside(real, realPathOf(workspace))) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`${name} ${JSON.stringify(p)} is a link to ${real}, outside the workspace ${workspace}; expected a path inside it (links are followed)`);
    }
    return resolved;
}
/**
 * Command-line flags read with node's parseArgs (strict), its error said the way every other input
 * error is: what is wrong, then where to look (`see k6-gate <command> --help`).
 */
function parseCommandArgs(options, args, command, allowPositionals = true) {
    try {
        return (0,node_util__WEBPACK_IMPORTED_MODULE_2__.parseArgs)({ options, args, allowPositionals, strict: true });
    }
    catch (error) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ConfigError */ .xL(`${error.message.replace(/\. To specify.*$/s, '')}; see k6-gate ${command ? `${command} ` : ''}--help`);
    }
}


/***/ }),

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BI: () => (/* binding */ isExpectedError),
/* harmony export */   Dh: () => (/* binding */ ExpectedError),
/* harmony export */   Ic: () => (/* binding */ describeFailure),
/* harmony export */   xL: () => (/* binding */ ConfigError)
/* harmony export */ });
// The one base class of expected failures: bad input, a missing file, a refused download, a busy
// port. Entries print such an error's message (its stack only with --verbose) and exit 2; anything
// else that escapes is a bug in k6-gate and is printed with its stack and a request to report it.
class ExpectedError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = new.target.name;
    }
}
/** Bad input: an input, a flag or a file the user gave is not what k6-gate expects. */
class ConfigError extends ExpectedError {
}
/** True for the failures a user can fix from the message alone. */
function isExpectedError(error) {
    return error instanceof ExpectedError;
}
/** What an entry prints for an error that ended a command. */
function describeFailure(error, verbose) {
    if (isExpectedError(error))
        return verbose && error.stack ? `${error.message}\n${error.stack}` : error.message;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return `unexpected error (this is a bug in k6-gate; please report it with the lines below):\n${detail}`;
}


/***/ }),

/***/ 8005:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AM: () => (/* binding */ acquireFileLock),
/* harmony export */   Rk: () => (/* binding */ LockHeldError),
/* harmony export */   jb: () => (/* binding */ LockWaitAbandoned)
/* harmony export */ });
/* unused harmony export UNREADABLE_GRACE_MS */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(3916);
// The one lock file of k6-gate (results dir, baseline file). A lock is a file created exclusively
// that names its owner (pid, host, start, a random nonce). Whether a lock still counts is decided
// the same way everywhere:
// - its owner runs on this host: it counts while that process exists, however long it takes;
// - its owner runs on another host (a shared volume): it counts until it is `foreignStaleMs` old;
// - the file says no owner (being written this very moment, or garbage): it counts for
//   UNREADABLE_GRACE_MS, then it is abandoned.
// A lock that counts is waited for up to `waitMs` (saying so once), then refused naming its holder;
// an abandoned one is removed, and the caller is told why.





/** A lock file without an owner is given this long to be the one being written right now. */
const UNREADABLE_GRACE_MS = 5000;
/** The lock counts and stayed held for `waitMs`. */
class LockHeldError extends _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ExpectedError */ .Dh {
    file;
    holder;
    constructor(file, 
    /** "pid 4242 on host ci-7, since 2026-…", or what is known. */
    holder) {
        super(`${file} is held by ${holder}`);
        this.file = file;
        this.holder = holder;
        this.name = 'LockHeldError';
    }
}
/** The wait for a held lock was given up on request (`signal`). */
class LockWaitAbandoned extends _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .ExpectedError */ .Dh {
    file;
    holder;
    constructor(file, holder) {
        super(`stopped waiting for ${file}, held by ${holder}`);
        this.file = file;
        this.holder = holder;
        this.name = 'LockWaitAbandoned';
    }
}
function processIsAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM';
    }
}
async function readHeld(file) {
    try {
        const [text, info] = await Promise.all([(0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readFile)(file, 'utf8'), (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(file)]);
        let owner;
        try {
            const parsed = JSON.parse(text);
            if (parsed && typeof parsed === 'object')
                owner = parsed;
        }
        catch {
            owner = undefined;
        }
        return { owner, mtimeMs: info.mtimeMs };
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return undefined;
        throw error;
    }
}
function describeHolder(held) {
    const owner = held.owner;
    if (typeof owner?.pid !== 'number' || typeof owner.host !== 'string')
        return 'a lock file that names no owner';
    const since = owner.since ?? owner.started;
    return `pid ${owner.pid} on host ${owner.host}${since ? `, since ${since}` : ''}`;
}
/** Why the lock no longer counts, or undefined while it does. */
function abandonedBecause(held, foreignStaleMs) {
    const age = Date.now() - held.mtimeMs;
    const owner = held.owner;
    if (typeof owner?.pid !== 'number' || typeof owner.host !== 'string') {
        return age > UNREADABLE_GRACE_MS ? `the lock file names no owner and is ${Math.round(age / 1000)} s old` : undefined;
    }
    if (owner.host === node_os__WEBPACK_IMPORTED_MODULE_3___default().hostname())
        return processIsAlive(owner.pid) ? undefined : `pid ${owner.pid} is no longer running`;
    return age > foreignStaleMs ? `a lock from host ${owner.host} older than ${formatAge(foreignStaleMs)}` : undefined;
}
function formatAge(ms) {
    return ms >= 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 1000)} s`;
}
/**
 * Removes an abandoned lock without removing a fresh one taken meanwhile: the lock is renamed away
 * (only one remover can rename a given file), and if what was renamed is not the lock that was
 * judged, it is put back with link() (which fails rather than replace a lock taken since).
 */
async function removeAbandoned(file, judged) {
    const aside = `${file}.${process.pid}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}.stale`;
    try {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rename)(file, aside);
    }
    catch {
        return; // someone else removed or released it
    }
    const moved = await readHeld(aside).catch(() => undefined);
    if (moved?.owner?.nonce !== judged.owner?.nonce || moved?.mtimeMs !== judged.mtimeMs) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.link)(aside, file).catch(() => undefined);
    }
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(aside, { force: true });
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Takes the lock file `file` (see the module comment). Throws LockHeldError when it stays held. */
async function acquireFileLock(file, options) {
    const owner = {
        pid: process.pid,
        host: node_os__WEBPACK_IMPORTED_MODULE_3___default().hostname(),
        since: new Date().toISOString(),
        nonce: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(8).toString('hex'),
    };
    const text = `${JSON.stringify(owner)}\n`;
    const started = Date.now();
    let replaced;
    let told = false;
    for (let attempt = 0;; attempt++) {
        try {
            const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.open)(file, 'wx');
            try {
                await handle.writeFile(text);
            }
            finally {
                await handle.close();
            }
            break;
        }
        catch (error) {
            if (error.code !== 'EEXIST')
                throw error;
        }
        const held = await readHeld(file);
        if (!held)
            continue; // released in between
        const why = abandonedBecause(held, options.foreignStaleMs);
        if (why !== undefined) {
            replaced = why;
            await removeAbandoned(file, held);
            continue;
        }
        if (options.signal?.aborted)
            throw new LockWaitAbandoned(file, describeHolder(held));
        if (Date.now() - started >= options.waitMs)
            throw new LockHeldError(file, describeHolder(held));
        if (!told) {
            told = true;
            options.onWait?.(describeHolder(held));
        }
        // Randomised back-off, so waiting runs do not retry in step.
        await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
    }
    // A run ended by process.exit (a second stop signal) still lets go.
    const releaseNow = () => {
        try {
            if ((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)(file, 'utf8') === text)
                (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.rmSync)(file, { force: true });
        }
        catch {
            // already gone
        }
    };
    process.once('exit', releaseNow);
    return {
        replaced,
        async release() {
            process.off('exit', releaseNow);
            releaseNow();
        },
    };
}


/***/ }),

/***/ 1683:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   v: () => (/* binding */ createFolder)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
// Creating a folder and its missing parents. Node's `mkdir(…, { recursive: true })` never returns
// where a parent exists but cannot hold children and says ENOENT for them (procfs: `/proc/x`): it
// retries the parent forever at full CPU, deaf to signals. Here each missing level is created once,
// parents first, so such a path fails with that ENOENT like any other refusal. Synchronous: a few
// stat and mkdir calls, and callers that must not yield (the action's outputs) use it too.


/** Creates `dir` and its missing parents; an existing folder is fine. Errors are the file system's (code set). */
function createFolder(dir) {
    const missing = [];
    for (let current = node_path__WEBPACK_IMPORTED_MODULE_1___default().resolve(dir);; current = node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname(current)) {
        const info = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync)(current, { throwIfNoEntry: false });
        if (info) {
            if (!info.isDirectory())
                throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' });
            break;
        }
        missing.unshift(current);
        if (node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname(current) === current)
            break;
    }
    for (const folder of missing) {
        try {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync)(folder);
        }
        catch (error) {
            // Another process made it in between: what was asked for exists.
            if (error.code !== 'EEXIST')
                throw error;
        }
    }
}


/***/ }),

/***/ 6264:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   B4: () => (/* binding */ formatCount),
/* harmony export */   CW: () => (/* binding */ formatDelta),
/* harmony export */   Fl: () => (/* binding */ formatValue),
/* harmony export */   N0: () => (/* binding */ relativeChange),
/* harmony export */   OM: () => (/* binding */ trimNumber),
/* harmony export */   a3: () => (/* binding */ formatDuration),
/* harmony export */   eD: () => (/* binding */ formatChange),
/* harmony export */   eS: () => (/* binding */ formatPointChange),
/* harmony export */   l9: () => (/* binding */ formatPercent),
/* harmony export */   w_: () => (/* binding */ formatSetting)
/* harmony export */ });
/* unused harmony export NO_CHANGE */
function trimNumber(value, digits) {
    return value.toFixed(digits).replace(/\.?0+$/, '') || '0';
}
/**
 * A value as a person reads it: `212 ms`, `0.35 ms`, `1.20%`, `45.3/s`, `1.5 MB`; `—` when there is
 * none. A `count` has no unit (`226`).
 */
function formatValue(value, unit) {
    if (value === undefined || !Number.isFinite(value))
        return '—';
    const abs = Math.abs(value);
    switch (unit) {
        case 'ms':
            if (abs >= 1000)
                return `${trimNumber(value / 1000, abs >= 10_000 ? 1 : 2)} s`;
            return `${abs >= 10 ? trimNumber(value, 1) : value.toFixed(2)} ms`;
        case 'ratio':
            return `${(value * 100).toFixed(2)}%`;
        case 'per-second':
            return `${abs >= 100 ? value.toFixed(0) : value.toFixed(1)}/s`;
        case 'bytes': {
            const units = ['B', 'kB', 'MB', 'GB', 'TB'];
            let scaled = value;
            let index = 0;
            while (Math.abs(scaled) >= 1000 && index < units.length - 1) {
                scaled /= 1000;
                index++;
            }
            return `${index === 0 ? value.toFixed(0) : trimNumber(scaled, 1)} ${units[index]}`;
        }
        case 'count':
            return Number.isInteger(value) ? formatCount(value) : trimNumber(value, 2);
        default:
            return abs >= 100 ? value.toFixed(0) : trimNumber(value, abs >= 1 ? 2 : 4);
    }
}
/** A difference in the unit: ratios in percentage points (`0.50 pp`), others like formatValue. */
function formatDelta(value, unit) {
    if (unit === 'ratio')
        return `${(value * 100).toFixed(2)} pp`;
    return formatValue(value, unit);
}
/** A signed difference of two rates in percentage points: `+0.40 pp`, `-0.12 pp`, `±0.00 pp`. */
function formatPointChange(value) {
    // Rounded by size, so that -x and +x read alike.
    const hundredths = Math.round(Math.abs(value) * 10_000);
    if (hundredths === 0)
        return '±0.00 pp';
    return `${value > 0 ? '+' : '-'}${(hundredths / 100).toFixed(2)} pp`;
}
/** A configured amount (noise floor) without padding zeros: `2 ms`, `0.5 pp`. */
function formatSetting(value, unit) {
    if (unit === 'ratio')
        return `${trimNumber(value * 100, 3)} pp`;
    if (unit === 'ms')
        return `${trimNumber(value, 3)} ms`;
    return trimNumber(value, 4);
}
/** The spelling of "no change", whatever produced it (equal values, a change that rounds to 0.0%). */
const NO_CHANGE = '±0.0%';
/** Past this factor a percentage stops being readable (`+4,250.0%`): the change is written `×43.5`. */
const FACTOR_FROM = 11;
const LARGEST_FACTOR = 1_000_000;
/**
 * A relative change (0.178 = +17.8 %), always signed, one decimal: `+17.8%`, `-5.0%`, `±0.0%`; a
 * growth past ×11 as a factor (`×43.5`, `×1,250`, `more than ×1,000,000`, never `+4.36e+303%`);
 * `—` when there is none.
 */
function formatChange(change) {
    if (change === undefined || !Number.isFinite(change))
        return '—';
    const factor = change + 1;
    if (factor >= FACTOR_FROM) {
        if (factor > LARGEST_FACTOR)
            return `more than ×${formatCount(LARGEST_FACTOR)}`;
        return `×${factor < 100 ? trimNumber(factor, 1) : formatCount(Math.round(factor))}`;
    }
    const tenths = Math.round(change * 1000);
    if (tenths === 0)
        return NO_CHANGE;
    return `${tenths > 0 ? '+' : '-'}${(Math.abs(tenths) / 10).toFixed(1)}%`;
}
/** The change from `before` to `after` for formatChange: 0 when both are equal (also both 0). */
function relativeChange(before, after) {
    if (before === undefined || after === undefined)
        return undefined;
    if (before === after)
        return 0;
    return before === 0 ? undefined : after / before - 1;
}
/**
 * A whole count with thousands grouped by commas: `3,598`, `65,536`. Written out rather than
 * `toLocaleString`: the first Intl call loads ICU data, about 10 ms of a short run's start-up.
 */
function formatCount(count) {
    if (!Number.isSafeInteger(count))
        return String(count);
    return String(count).replace(/\B(?=(\d{3})+$)/g, ',');
}
/** A configured fraction (tolerance, confidence) as a percentage without padding zeros: `10%`, `99.5%`. */
function formatPercent(fraction) {
    return `${trimNumber(fraction * 100, 2)}%`;
}
/** A span of time: `850 ms` under a second, `6.1 s` under two minutes, `2.5 min` beyond. */
function formatDuration(ms) {
    if (!Number.isFinite(ms))
        return '—';
    if (Math.abs(ms) < 1000)
        return `${Math.round(ms)} ms`;
    if (Math.abs(ms) < 120_000)
        return `${trimNumber(ms / 1000, 1)} s`;
    return `${trimNumber(ms / 60_000, 1)} min`;
}


/***/ }),

/***/ 6959:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

// ESM COMPAT FLAG
__nccwpck_require__.r(__webpack_exports__);

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  exitStatusFor: () => (/* reexport */ exitStatusFor),
  runGate: () => (/* binding */ runGate),
  wroteResults: () => (/* reexport */ wroteResults)
});

// EXTERNAL MODULE: ./src/cancel.ts
var cancel = __nccwpck_require__(833);
// EXTERNAL MODULE: ./src/baseline/compare.ts
var compare = __nccwpck_require__(6228);
// EXTERNAL MODULE: ./src/k6/exit-codes.ts
var exit_codes = __nccwpck_require__(9630);
;// CONCATENATED MODULE: ./src/verdict/outcome.ts
// The outcome policy, in one place: what a scenario's numbers make of it, what the scenarios make of
// the gate, whether `fail-on` fails the job, and the exit status. Every way a verdict is reached
// (one run, confirmation reruns, A/B rounds, the duet, merged shards) ends here; the sinks (dotenv,
// annotations, notifications, series, reports) count regressions with the same predicate,
// `isRegression`, and inconclusive scenarios with the count `decideGate` leaves on the result.
//
// `inconclusive` sits between passed and regressed: the numbers could not decide (a duet that reached
// max-duration undecided, a load generator too starved to trust). A crossed threshold or a regression
// still wins, in a scenario and across the gate; an inconclusive scenario makes a gate that would have
// passed inconclusive. It fails the job only when `fail-on` names it, and it is never recorded as a
// baseline (baseline/update.ts `runsToRecord`).


/**
 * A scenario's outcome from what it measured: crossed thresholds (k6 exit 99 and the summary must
 * agree; whichever saw a crossing wins), then a regression, then a reason it could not decide (its
 * `inconclusive`, or a watched stat the duet left inconclusive), on top of `base` (k6's own outcome).
 */
function scenarioOutcome(measured, base = 'passed') {
    let outcome = base;
    if (measured.thresholds.some((t) => !t.ok))
        outcome = (0,exit_codes/* worstOutcome */.O)(outcome, 'thresholds-failed');
    if (measured.metrics.some(compare/* isRegression */.kj))
        outcome = (0,exit_codes/* worstOutcome */.O)(outcome, 'regressed');
    if (measured.inconclusive !== undefined || measured.metrics.some((m) => m.verdict === 'inconclusive'))
        outcome = (0,exit_codes/* worstOutcome */.O)(outcome, 'inconclusive');
    return outcome;
}
/**
 * Says why the scenario's numbers cannot decide (a starved load generator, a duet out of time) and
 * settles its outcome again: a scenario that passed becomes inconclusive; a regression, a crossed
 * threshold or an error stays what it is, with the reason kept beside it for the report.
 */
function markInconclusive(scenario, why) {
    scenario.inconclusive = scenario.inconclusive ? `${scenario.inconclusive}; ${why}` : why;
    scenario.outcome = (0,exit_codes/* worstOutcome */.O)(scenario.outcome, 'inconclusive');
}
/** Counts, outcome and the policy decision (`fail-on`) of the gate, from its scenario results. */
function decideGate(result) {
    result.regressions = result.scenarios.reduce((n, s) => n + s.metrics.filter(compare/* isRegression */.kj).length, 0);
    result.thresholdsFailed = result.scenarios.reduce((n, s) => n + s.thresholds.filter((t) => !t.ok).length, 0);
    result.inconclusive = result.scenarios.filter((s) => s.outcome === 'inconclusive').length;
    const errored = result.scenarios.some((s) => s.outcome === 'error');
    const thresholdsCrossed = result.thresholdsFailed > 0 || result.scenarios.some((s) => s.outcome === 'thresholds-failed');
    let outcome = 'passed';
    if (result.inconclusive > 0)
        outcome = (0,exit_codes/* worstOutcome */.O)(outcome, 'inconclusive');
    if (result.regressions > 0)
        outcome = (0,exit_codes/* worstOutcome */.O)(outcome, 'regressed');
    if (thresholdsCrossed)
        outcome = (0,exit_codes/* worstOutcome */.O)(outcome, 'thresholds-failed');
    if (errored)
        outcome = 'error';
    result.outcome = outcome;
    result.failed =
        errored ||
            (result.regressions > 0 && result.failOn.includes('regression')) ||
            (thresholdsCrossed && result.failOn.includes('thresholds')) ||
            (result.inconclusive > 0 && result.failOn.includes('inconclusive'));
}
/** 0 passed (or not failed by policy), 1 failed by policy, 2 error. */
function exitStatusFor(result) {
    if (result.outcome === 'error')
        return 2;
    return result.failed ? 1 : 0;
}

// EXTERNAL MODULE: ./src/config.ts
var src_config = __nccwpck_require__(2973);
// EXTERNAL MODULE: ./src/baseline/format.ts
var format = __nccwpck_require__(8860);
// EXTERNAL MODULE: ./src/baseline/rules.ts
var baseline_rules = __nccwpck_require__(1568);
// EXTERNAL MODULE: ./src/baseline/update.ts
var update = __nccwpck_require__(6054);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/folder.ts
var folder = __nccwpck_require__(1683);
// EXTERNAL MODULE: ./src/report/html.ts
var html = __nccwpck_require__(6433);
// EXTERNAL MODULE: ./src/report/junit.ts
var junit = __nccwpck_require__(2998);
// EXTERNAL MODULE: ./src/report/load-performance.ts
var load_performance = __nccwpck_require__(9683);
// EXTERNAL MODULE: ./src/file-lock.ts
var file_lock = __nccwpck_require__(8005);
;// CONCATENATED MODULE: ./src/results-lock.ts
// One run per results dir. Two runs writing one folder overwrite each other's files, and a run whose
// k6 wrote nothing could read the other run's summary as its own. The lock (file-lock.ts) names its
// owner, so the second run's error says which run holds the folder; an abandoned lock is removed.



const RESULTS_LOCK_FILE = '.k6-gate.lock';
/** A lock from another machine (a shared volume) counts as abandoned after this long. */
const FOREIGN_LOCK_STALE_MS = 24 * 3_600_000;
/** Takes the results dir for this run at once, or says which run has it. */
async function lockResultsDir(dir) {
    const file = external_node_path_default().join(dir, RESULTS_LOCK_FILE);
    try {
        return await (0,file_lock/* acquireFileLock */.AM)(file, { waitMs: 0, foreignStaleMs: FOREIGN_LOCK_STALE_MS });
    }
    catch (error) {
        if (!(error instanceof file_lock/* LockHeldError */.Rk))
            throw error;
        throw new src_config/* ConfigError */.xL(`results dir ${dir} is in use by another k6-gate run (${error.holder}); expected one run per results dir: wait for that run to end, give this run its own results-dir, or delete ${file} if that run is gone`);
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: ./src/observability/metrics-output.ts
var metrics_output = __nccwpck_require__(9128);
// EXTERNAL MODULE: ./src/scenarios.ts
var scenarios = __nccwpck_require__(4096);
// EXTERNAL MODULE: ./src/url.ts
var url = __nccwpck_require__(7666);
// EXTERNAL MODULE: ./src/version.ts
var version = __nccwpck_require__(311);
;// CONCATENATED MODULE: ./src/gate/result.ts
// The run's shared state (config, log, stop requests, the result being filled) and the result's
// starting shapes. A step that must end the run throws `GateStop`; runGate turns it into the
// `error` outcome.






/** Ends the run with the `error` outcome. `writeResults: false` when the results dir is not ours to write. */
class GateStop extends Error {
    writeResults;
    constructor(message, writeResults = true) {
        super(message);
        this.writeResults = writeResults;
        this.name = 'GateStop';
    }
}
/** Paths inside the workspace are shown relative to it; others (the demo's bundled baseline) in full. */
function displayPath(file, workspace) {
    const relative = external_node_path_default().relative(workspace, file);
    return relative && !relative.startsWith('..') && !external_node_path_default().isAbsolute(relative) ? relative : file;
}
function emptyResult(config) {
    return {
        schemaVersion: 1,
        tool: { name: 'k6-gate', version: version/* VERSION */.x },
        generatedAt: new Date().toISOString(),
        target: config.target ? (0,url/* withoutCredentials */.ri)(config.target) : undefined,
        environment: config.environment,
        baselinePath: displayPath(config.baselinePath, config.workspace),
        outcome: 'passed',
        failOn: config.failOn,
        failed: false,
        scenarios: [],
        regressions: 0,
        thresholdsFailed: 0,
        warnings: [],
        testId: config.metricsOutputs?.length ? (0,metrics_output/* newTestId */.UP)(new Date(), (0,external_node_crypto_.randomBytes)(3).toString('hex')) : undefined,
    };
}
/** The baseline key of a scenario of this run. */
function keyOf(config, spec) {
    return (0,scenarios/* scenarioKey */.Wd)(spec.name, config.profile, config.environment);
}
/** A scenario's result before anything is known about it. */
function newScenarioResult(config, spec) {
    return {
        scenario: spec.name,
        profile: config.profile,
        key: keyOf(config, spec),
        outcome: 'passed',
        thresholds: [],
        metrics: [],
        files: {},
    };
}
/** Marks the run as failed by `message`; scenarios that never started get it as their error. */
function markError(run, message) {
    const { result, config } = run;
    run.log.error(message);
    result.outcome = 'error';
    result.failed = true;
    if (result.scenarios.length === 0) {
        result.scenarios = config.scenarios.map((spec) => ({ ...newScenarioResult(config, spec), outcome: 'error', error: message }));
    }
}

;// CONCATENATED MODULE: ./src/gate/results-dir.ts
// Step 1: the results dir. Created and probed for writing before anything is measured, then locked
// for this run (one run per folder: results-lock.ts) and cleared of the previous run's files, so
// nothing stale (a load-performance.json, a summary of a scenario not run now) is published as this
// run's. A folder k6-gate did not make (no marker file) is never cleared: when it holds files under
// names the gate writes (`--results-dir .` in a project with its own report.md), it is refused.









const COMPARISON_FILE = 'comparison.json';
const REPORT_FILE = 'report.md';
/** Written into every results dir k6-gate uses: the folder is the gate's, and old files may go. */
const RESULTS_MARKER_FILE = '.k6-gate-results';
/** The gate's report files, and the two GitLab's publisher adds (dotenv, HTML copy for expose_as). */
const REPORT_FILES = [COMPARISON_FILE, REPORT_FILE, junit/* JUNIT_FILE */.Gl, load_performance/* LOAD_PERFORMANCE_FILE */.Du, html/* GATE_REPORT_FILE */.At, 'k6-gate.env', 'report.html'];
/** The files of one k6 run (shard names included): summary, log, raw samples, HTML report, live file. */
const RUN_FILE = /^(summary-.+\.json|k6-.+\.(log|json\.gz)|report-.+\.html|\.k6-live-.+\.json)$/;
function isResultFileName(name) {
    return REPORT_FILES.includes(name) || RUN_FILE.test(name);
}
/** Files k6-gate writes into the results dir; the baseline must not be one of them. */
function isOwnOutputFile(file, resultsDir) {
    if (external_node_path_default().dirname(external_node_path_default().resolve(file)) !== external_node_path_default().resolve(resultsDir))
        return false;
    const name = external_node_path_default().basename(file);
    return isResultFileName(name) || name === RESULTS_LOCK_FILE || name === RESULTS_MARKER_FILE;
}
/** Makes the results dir ready and this run's alone; `GateStop` (nothing written there) when it cannot be. */
async function prepareResultsDir(run) {
    const dir = run.config.resultsDir;
    const notWritable = (error) => new GateStop(`results dir ${dir} is not writable (${error.code ?? error.message}); expected a folder k6-gate can create and write, set results-dir to one`, false);
    let names;
    try {
        (0,folder/* createFolder */.v)(dir);
        // Files only: a folder under a result name is k6's problem to report, not a file to replace.
        names = (await (0,promises_.readdir)(dir, { withFileTypes: true })).filter((entry) => !entry.isDirectory()).map((entry) => entry.name);
    }
    catch (error) {
        throw notWritable(error);
    }
    if (!names.includes(RESULTS_MARKER_FILE))
        refuseForeignFiles(dir, names);
    try {
        await (0,promises_.writeFile)(external_node_path_default().join(dir, RESULTS_MARKER_FILE), 'k6-gate writes its results here and replaces them on every run.\n');
    }
    catch (error) {
        throw notWritable(error);
    }
    let lock;
    try {
        lock = await lockResultsDir(dir);
    }
    catch (error) {
        // Another run owns the folder: write nothing into it.
        throw new GateStop(error.message, false);
    }
    if (lock.replaced)
        run.log.info(`k6-gate: removed an abandoned lock of ${dir} (${lock.replaced})`);
    await removePreviousResults(run, names);
    return lock;
}
/** A folder without the marker that holds files under the gate's names: they are someone else's. */
function refuseForeignFiles(dir, names) {
    const clashing = names.filter(isResultFileName).sort();
    if (clashing.length === 0)
        return;
    const shown = clashing.length > 5 ? `${clashing.slice(0, 5).join(', ')}, …` : clashing.join(', ');
    throw new GateStop(`results dir ${dir} holds files k6-gate did not write (${shown}) under names it writes; expected an empty folder or one k6-gate made, set results-dir to one (e.g. k6-gate-results)`, false);
}
/** The previous run's files go; in merge mode the shards' files stay when they are read from here. */
async function removePreviousResults(run, names) {
    const { config } = run;
    const mergingHere = config.merge && external_node_path_default().resolve(config.merge.dir) === external_node_path_default().resolve(config.resultsDir);
    const stale = names.filter((name) => isResultFileName(name) && !(mergingHere && name.includes('.shard-')));
    await Promise.all(stale.map((name) => (0,promises_.rm)(external_node_path_default().join(config.resultsDir, name), { force: true }).catch((error) => run.log.warning(`k6-gate: could not remove ${name}, left by an earlier run, from ${config.resultsDir}: ${error.message}`))));
}
/** Refuses a baseline path that is one of the gate's own result files (it would be overwritten). */
function refuseOwnOutputBaseline(run) {
    const { config, result } = run;
    if (isOwnOutputFile(config.baselinePath, config.resultsDir)) {
        throw new src_config/* ConfigError */.xL(`baseline ${result.baselinePath} is one of the files k6-gate writes into the results dir (${external_node_path_default().basename(config.baselinePath)}); expected a file of its own, e.g. k6-baseline.json`);
    }
}

;// CONCATENATED MODULE: ./src/gate/rules-and-baseline.ts
// Step 2: what the run is judged against: the rules (k6-gate.config.json|yaml) and the baseline
// file. A baseline without an entry for a scenario's key is warned about: a key typo (or another
// profile) would otherwise pass silently with every metric "new". In a protected environment it is
// an error naming the key found and the key expected, unless allow-new-baseline lets it pass.






/** Reads the rules and the baseline; a problem with either ends the run (`GateStop`). */
async function readRulesAndBaseline(run) {
    try {
        const rules = await (0,baseline_rules/* loadRules */.A7)(run.config.configFile, run.config.rulesOverrides);
        refuseOwnOutputBaseline(run);
        const baseline = await (0,format/* loadBaseline */.oU)(run.config.baselinePath);
        refuseMissingProtectedEntries(run, baseline);
        run.result.warnings.push(...baselineKeyWarnings(run, baseline));
        return { rules, baseline };
    }
    catch (error) {
        // The rules file or the baseline the user gave cannot be used: the report's headline says "bad input".
        run.result.badInput = true;
        throw new GateStop(error.message);
    }
}
/** Why the baseline will not be used for some scenario of this run (no file, no entry under its key). */
function baselineKeyWarnings(run, baseline) {
    const { config, result } = run;
    const shown = result.baselinePath;
    if ((0,src_config/* isDuet */.Jj)(config))
        return [];
    if (!baseline)
        return [`no baseline at ${shown}: every metric is reported as new; run with update-baseline to create it`];
    // A shard's numbers are judged only after the merge.
    if (config.shard)
        return [];
    const warnings = [];
    for (const spec of config.scenarios) {
        const key = keyOf(config, spec);
        if (baseline.scenarios[key])
            continue;
        const known = Object.keys(baseline.scenarios).sort().join(', ') || 'none';
        const legacy = config.environment ? (0,update/* unmigratedKeysFor */.mg)(baseline, spec.name, config.profile) : [];
        warnings.push(legacy.length > 0
            ? `${shown} has ${JSON.stringify(legacy[0])}, recorded before baseline keys named the environment, but no ${JSON.stringify(key)}: it is not used for ${config.environment} (another environment may have recorded it), so every metric is reported as new; if those runs measured ${config.environment}, move them with \`k6-gate baseline migrate --environment ${config.environment}\``
            : `${shown} has no entry for ${JSON.stringify(key)} (it has: ${known}): every metric is reported as new`);
    }
    return warnings;
}
const OPT_IN = 'set allow-new-baseline: true (--allow-new-baseline true) to let a first run pass and record it';
/** In a protected environment a scenario without its baseline entry is not a pass (ConfigError). */
function refuseMissingProtectedEntries(run, baseline) {
    const { config, result } = run;
    // A shard is judged after the merge, which applies the rule; a duet compares A with B, not with the file.
    if (!config.protectedEnvironment || config.allowNewBaseline || config.shard || (0,src_config/* isDuet */.Jj)(config))
        return;
    const where = `${config.environment ?? 'this'} is a protected environment: a run without its baseline is not a pass`;
    for (const spec of config.scenarios) {
        const key = keyOf(config, spec);
        if (!baseline) {
            throw new src_config/* ConfigError */.xL(`no baseline at ${result.baselinePath}, and ${where}; expected a baseline with ${JSON.stringify(key)}, or ${OPT_IN}`);
        }
        if (baseline.scenarios[key])
            continue;
        const near = nearestKey(key, Object.keys(baseline.scenarios));
        const legacy = config.environment ? (0,update/* unmigratedKeysFor */.mg)(baseline, spec.name, config.profile)[0] : undefined;
        const found = legacy
            ? `The file has ${JSON.stringify(legacy)}, recorded before baseline keys named the environment: expected ${JSON.stringify(key)}; if those runs measured ${config.environment}, move them with \`k6-gate baseline migrate --environment ${config.environment}\`, or ${OPT_IN}`
            : near
                ? `The file has ${JSON.stringify(near.key)} (${near.difference}): expected ${JSON.stringify(key)}; run with the ${near.what} it was recorded with, or ${OPT_IN}`
                : `The file has ${Object.keys(baseline.scenarios)
                    .sort()
                    .map((k) => JSON.stringify(k))
                    .join(', ') || 'no entries'}: expected ${JSON.stringify(key)}; ${OPT_IN}`;
        throw new src_config/* ConfigError */.xL(`baseline ${result.baselinePath} has no entry for ${JSON.stringify(key)}, and ${where}. ${found}`);
    }
}
/**
 * The key of the same scenario that differs from `key` in its profile or its environment alone
 * (`http-endpoints@@staging` for `http-endpoints@smoke@staging`): the likely near miss.
 */
function nearestKey(key, keys) {
    const want = (0,format/* splitBaselineKey */.fg)(key);
    for (const candidate of [...keys].sort()) {
        const have = (0,format/* splitBaselineKey */.fg)(candidate);
        if (have.scenario !== want.scenario)
            continue;
        if (have.environment === want.environment && have.profile !== want.profile) {
            return {
                key: candidate,
                difference: have.profile ? `recorded with profile ${have.profile}` : 'recorded with no profile',
                what: 'profile',
            };
        }
        if (have.profile === want.profile && have.environment !== want.environment) {
            return {
                key: candidate,
                difference: have.environment ? `recorded for environment ${have.environment}` : 'recorded with no environment',
                what: 'environment',
            };
        }
    }
    return undefined;
}

// EXTERNAL MODULE: ./src/k6/install.ts + 7 modules
var install = __nccwpck_require__(2925);
// EXTERNAL MODULE: ./src/k6/preflight.ts + 1 modules
var preflight = __nccwpck_require__(2846);
;// CONCATENATED MODULE: ./src/gate/k6-and-target.ts



/**
 * The base deployment's health URL in A/B mode: the target's health URL moved onto baseline-target
 * (same path below it), or baseline-target itself when the health URL is elsewhere.
 */
function baselineHealthUrl(config) {
    if (!config.baselineTarget || !config.healthUrl || !config.target)
        return undefined;
    const target = new URL(config.target);
    const health = new URL(config.healthUrl);
    const prefix = target.pathname.endsWith('/') ? target.pathname : `${target.pathname}/`;
    if (health.origin !== target.origin || !(health.pathname === target.pathname || health.pathname.startsWith(prefix))) {
        return config.baselineTarget;
    }
    const base = config.baselineTarget.endsWith('/') ? config.baselineTarget : `${config.baselineTarget}/`;
    return new URL(`${health.pathname.slice(prefix.length)}${health.search}`, base).toString();
}
/** Starts every health check of the run; `started` is the target's when the caller began it already. */
function startTargetChecks(config, log, started) {
    const target = started ?? (0,preflight/* startPreflight */.os)(config, log);
    const baseUrl = baselineHealthUrl(config);
    const base = baseUrl ? (0,preflight/* startPreflight */.os)({ ...config, healthUrl: baseUrl }, log) : undefined;
    const checks = [
        { check: target, side: '' },
        { check: base, side: 'baseline-target (A): ' },
    ].filter((c) => c.check !== undefined);
    if (checks.length === 0)
        return undefined;
    // Settles at the first unhealthy side, or once all answered.
    const done = new Promise((resolve) => {
        let left = checks.length;
        for (const { check, side } of checks) {
            void check.done.then((error) => {
                if (error)
                    resolve(side ? new Error(`${side}${error.message}`) : error);
                else if (--left === 0)
                    resolve(undefined);
            });
        }
    });
    return { done, abandon: async () => void (await Promise.all(checks.map((c) => c.check.abandon()))) };
}
/** A stop request before k6 started: nothing was measured, and every report says so. */
function stoppedBefore(run, step) {
    const signal = run.cancellation.signal;
    run.result.cancelled = signal;
    return new GateStop(`k6-gate received ${signal} ${step}: no scenario ran`);
}
/** The k6 this run uses; undefined in merge mode. */
async function readyK6(run) {
    const { config, log, cancellation, result } = run;
    if (config.merge)
        return undefined;
    let k6;
    try {
        k6 = await log.group(`k6-gate: installing k6 ${config.k6.version} (${config.k6.install})`, () => cancellation.race((0,install/* installK6 */.XT)(config.k6, log)));
    }
    catch (error) {
        throw new GateStop(`k6 could not be installed: ${error.message}`);
    }
    if (!k6)
        throw stoppedBefore(run, 'while installing k6');
    result.k6 = { version: k6.version, path: k6.path, source: k6.source };
    log.info(`k6-gate: using k6 ${k6.version} from ${k6.source} (${k6.path})`);
    return k6;
}
/** Waits for the health check's answer; an unhealthy target or a stop ends the run. */
async function awaitHealthyTarget(run, preflight) {
    if (!preflight)
        return;
    const unhealthy = await run.cancellation.race(preflight.done);
    if (run.cancellation.requested)
        throw stoppedBefore(run, 'while waiting for the target');
    if (unhealthy)
        throw new GateStop(unhealthy.message);
}

// EXTERNAL MODULE: ./src/http.ts
var http = __nccwpck_require__(6803);
// EXTERNAL MODULE: ./src/log.ts
var src_log = __nccwpck_require__(5625);
// EXTERNAL MODULE: ./src/format.ts
var src_format = __nccwpck_require__(6264);
// EXTERNAL MODULE: ./src/notify/payload.ts
var payload = __nccwpck_require__(7383);
// EXTERNAL MODULE: ./src/notify/sinks/index.ts + 2 modules
var sinks = __nccwpck_require__(1745);
;// CONCATENATED MODULE: ./src/notify/send.ts
// Sends the notifications: each target's URL comes from an environment variable and is a secret
// (never logged, never in a message); every failure is a warning, never a failed job. 429 and 5xx
// answers are retried (Retry-After honoured, capped), each attempt has a time limit.





const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** One POST with retries; resolves to a problem in words (without the URL) or undefined. */
async function post(target, body, options) {
    const attempts = options.attempts ?? 3;
    let wait = options.backoffMs ?? 1000;
    let problem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
        let retryAfterMs;
        try {
            const response = await fetch(target.url, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(body),
                signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
            });
            await response.arrayBuffer().catch(() => undefined);
            if (response.ok)
                return undefined;
            problem = `HTTP ${response.status}`;
            if (response.status !== 429 && response.status < 500)
                return `${problem} (not retried: check the URL in ${target.envName})`;
            if (response.status === 429)
                retryAfterMs = (0,http/* retryAfterMs */.Vs)(response.headers.get('retry-after'));
        }
        catch (error) {
            const e = error;
            problem =
                e.name === 'TimeoutError' || e.name === 'AbortError'
                    ? `no answer within ${(0,src_format/* formatDuration */.a3)(options.timeoutMs ?? 10_000)}`
                    : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
        }
        if (attempt < attempts) {
            await sleep(Math.min(retryAfterMs ?? wait, options.maxRetryAfterMs ?? 30_000));
            wait *= 2;
        }
    }
    return `${problem} after ${attempts} attempt(s)`;
}
/** Sends what `config.on` asks for; returns the warnings (also logged). */
async function sendNotifications(config, result, log, options = {}) {
    if (config.targets.length === 0 || !(0,payload/* shouldNotify */.l)(config.on, result.outcome))
        return [];
    const warnings = [];
    const urls = config.targets.map((t) => t.url);
    for (const target of config.targets) {
        const sink = (0,sinks/* findSink */.H3)(target.kind);
        // Never another kind's body: an unknown kind is not sent (the inputs refuse it before a run).
        const problem = sink
            ? await post(target, sink.body(result, options.commit), options)
            : `"${target.kind}" is not a notification kind; expected ${(0,sinks/* sinkKinds */.Ne)()} (not sent)`;
        if (problem === undefined) {
            log.info(`k6-gate: ${target.kind} notification sent (URL from ${target.envName})`);
        }
        else {
            // The URL is the secret: messages name the variable, and anything else is redacted too.
            const warning = (0,src_log/* redact */.E$)(`could not send the ${target.kind} notification (URL from ${target.envName}): ${problem}`, urls);
            warnings.push(warning);
            log.warning(`k6-gate: ${warning}`);
        }
    }
    return warnings;
}

// EXTERNAL MODULE: ./src/observability/remote-write.ts + 2 modules
var remote_write = __nccwpck_require__(2462);
;// CONCATENATED MODULE: ./src/observability/push.ts



const PUSH_TIMEOUT_MS = 10_000;
/** The labels of a run shared by k6's samples and k6-gate's series. */
function runLabels(config, testid) {
    return {
        testid,
        profile: config.profile,
        environment: config.environment,
        commit: config.git.commit,
        ref: config.git.ref,
        shard: config.shard ? `${config.shard.index}/${config.shard.count}` : undefined,
    };
}
/** Pushes k6-gate's verdict series; returns whether the receiver accepted them. Never throws. */
async function pushGateSeries(config, result, log, timeoutMs = PUSH_TIMEOUT_MS) {
    const url = (0,metrics_output/* prometheusTarget */.Ky)(config.metricsOutputs);
    if (!url || !result.testId)
        return false;
    const warn = (why) => log.warning(`k6-gate: could not push the verdict series to ${url} (${why}); the gate's verdict does not depend on it`);
    try {
        const series = (0,metrics_output/* gateSeries */.j0)(result, runLabels(config, result.testId), Date.now());
        const extra = (0,metrics_output/* remoteWriteHeaders */.KG)(config.env);
        // The Base64 of user:password is as secret as the password (an error body may echo it back).
        if (extra.Authorization)
            log.addSecret(extra.Authorization.replace(/^\S+ /, ''));
        const headers = { ...extra, ...remote_write/* REMOTE_WRITE_HEADERS */.MI, 'User-Agent': `k6-gate/${version/* VERSION */.x}` };
        const response = await fetch(url, { method: 'POST', headers, body: (0,remote_write/* remoteWriteBody */.Mu)(series), signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) {
            const text = (await response.text().catch(() => '')).trim().slice(0, 200);
            warn(`HTTP ${response.status}${text ? `: ${text}` : ''}`);
            return false;
        }
        log.info(`k6-gate: pushed ${series.length} verdict series to ${url} (testid=${result.testId})`);
        return true;
    }
    catch (error) {
        const cause = error.cause;
        warn(cause?.message ?? error.message);
        return false;
    }
}

;// CONCATENATED MODULE: ./src/gate/publish.ts
// Step 8: after the files, what leaves the machine: the verdict's series pushed to the metrics
// output and the notifications. A failure here changes neither the files nor the verdict (a
// warning on the log only). Then the verdict's one log line.


async function publishAndNotify(run) {
    const { config, result, log } = run;
    await pushGateSeries(config, result, log);
    if (config.notify)
        await sendNotifications(config.notify, result, log, { commit: config.git.commit });
}
function logVerdict(run) {
    const { result } = run;
    const verdict = result.cancelled ? `CANCELLED (${result.cancelled})` : result.failed ? 'FAILED' : 'ok';
    run.log.info(`k6-gate: outcome ${result.outcome} — ${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s)` +
        `${result.inconclusive ? `, ${result.inconclusive} inconclusive scenario(s)` : ''} — gate ${verdict}`);
}

// EXTERNAL MODULE: ./src/baseline/store.ts
var store = __nccwpck_require__(4494);
;// CONCATENATED MODULE: ./src/gate/record.ts
// Step 6: the baseline learns from this run when the mode and the outcome allow it
// (shouldUpdateBaseline) and each run is sane (or the update is forced). Written under the
// baseline's lock, atomically (baseline/store.ts). A cancelled run teaches it nothing.


async function recordBaseline(run, runs, judging) {
    const { config, result, log } = run;
    if (config.updateBaseline === 'never')
        return;
    const notUpdated = (why, level = 'warning') => {
        result.warnings.push(`baseline not updated: ${why}`);
        log[level](`k6-gate: baseline not updated: ${why}`);
    };
    // A partial run must not teach the baseline anything.
    if (result.cancelled)
        return void result.warnings.push('baseline not updated: the run was cancelled');
    const decision = (0,update/* shouldUpdateBaseline */.aA)({
        mode: config.updateBaseline,
        outcome: result.outcome,
        isDefaultBranch: config.git.isDefaultBranch,
    });
    if (!decision.update)
        return notUpdated(decision.reason, 'info');
    if (runs.length === 0)
        return log.info('k6-gate: baseline not updated: no scenario produced a summary');
    const { kept, forcedLines, refusals } = (0,update/* runsToRecord */.DQ)(runs, config.updateBaseline === 'force');
    for (const line of forcedLines) {
        result.warnings.push(line);
        log.warning(`k6-gate: ${line}`);
    }
    refusals.forEach((why) => notUpdated(why));
    if (kept.length === 0)
        return;
    // A stop request while waiting for another gate's lock ends the wait; the write itself is atomic
    // and short, so one that started finishes. Either way the stop is honoured afterwards.
    const waiting = new AbortController();
    const stopListening = run.cancellation.onRequest(() => waiting.abort());
    try {
        // Under the lock, the file is read again: a gate that wrote since this one started is merged, not lost.
        const { before, after } = await (0,store/* updateBaselineFile */.L3)(config.baselinePath, (current) => (0,update/* updateBaseline */.Rz)(current, kept, judging.rules), {
            log,
            signal: waiting.signal,
        });
        result.baselineUpdated = true;
        for (const line of (0,update/* historyCuts */.YM)(before, after, judging.rules.historyLimit)) {
            result.warnings.push(line);
            log.warning(`k6-gate: ${line}`);
        }
        log.info(`k6-gate: baseline ${result.baselinePath} updated with ${kept.map((r) => r.key).join(', ')} (${decision.reason})`);
    }
    catch (error) {
        if (error instanceof store/* BaselineLockAbandoned */.xX) {
            notUpdated(`k6-gate received ${run.cancellation.signal} while waiting for the baseline lock; nothing was written`);
        }
        else
            notUpdated(error.message);
    }
    finally {
        stopListening();
    }
    if (run.cancellation.requested)
        cancelledWhileRecording(run);
}
/** A stop that came after k6 ended: the verdict was complete, the run is still a cancelled one. */
function cancelledWhileRecording(run) {
    const { result, cancellation } = run;
    result.warnings.push(`the run was cancelled (k6-gate received ${cancellation.signal}) while the baseline was being recorded; the measured outcome was ${result.outcome}`);
    result.cancelled = cancellation.signal;
    result.outcome = 'error';
    result.failed = true;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./src/atomic-file.ts
var atomic_file = __nccwpck_require__(3549);
// EXTERNAL MODULE: ./src/report/markdown.ts + 3 modules
var markdown = __nccwpck_require__(6267);
;// CONCATENATED MODULE: ./src/gate/report.ts
// Step 7: every report file of the results dir, written once here (comparison.json, report.md,
// junit.xml, load-performance.json, gate-report.html). Platforms upload the folder as it is and add only their own
// files (GitLab's dotenv and HTML copy).










/** Results whose report files are in their results dir (this process wrote them). */
const written = new WeakSet();
/** True once the result's report files were written: entries say "results in …" only then. */
function wroteResults(result) {
    return written.has(result);
}
/**
 * Removes every secret from the result (messages quote k6's output), then writes the reports. A
 * write that fails (a full disk) is an error of the run: what was measured could not be kept.
 */
async function writeResultFiles(run) {
    const { config, result, log } = run;
    // No secret, in any encoding, leaves in a file or comment.
    Object.assign(result, (0,src_log/* redactDeep */.KL)(result, config.secrets));
    try {
        await writeReports(config, result);
        written.add(result);
    }
    catch (error) {
        const message = error.message;
        result.warnings.push(message);
        result.outcome = 'error';
        result.failed = true;
        log.error(message);
    }
}
/** Every report file of the results dir. */
async function writeReports(config, result) {
    if (!(0,external_node_fs_.existsSync)(config.resultsDir))
        return;
    const write = (name, text) => (0,atomic_file/* writeFileAtomic */.Z)(external_node_path_default().join(config.resultsDir, name), text).catch((error) => {
        throw new Error(`could not write ${name} to ${config.resultsDir}: ${error.message}`);
    });
    await write(COMPARISON_FILE, `${JSON.stringify(result, null, 2)}\n`);
    await write(REPORT_FILE, (0,markdown.renderMarkdownReport)(result));
    await write(junit/* JUNIT_FILE */.Gl, (0,junit/* renderJUnit */.dB)(result));
    await write(html/* GATE_REPORT_FILE */.At, (0,html/* renderHtmlReport */.w4)(result));
    // GitLab's load_performance report: the gating scenario's legacy summary export, copied as is.
    const lpSource = (0,load_performance/* loadPerformanceSourceFile */.K3)(result);
    const lpLegacy = lpSource ? await (0,promises_.readFile)(external_node_path_default().join(config.resultsDir, lpSource), 'utf8').catch(() => undefined) : undefined;
    const loadPerformance = (0,load_performance/* renderLoadPerformance */.dS)(result, lpLegacy);
    if (loadPerformance !== undefined)
        await write(load_performance/* LOAD_PERFORMANCE_FILE */.Du, loadPerformance);
}

// EXTERNAL MODULE: ./src/baseline/sampling.ts
var sampling = __nccwpck_require__(6574);
// EXTERNAL MODULE: ./src/baseline/stats.ts
var stats = __nccwpck_require__(964);
;// CONCATENATED MODULE: ./src/verdict/confirm.ts
// Confirmation reruns: when a scenario's first run regresses, run it again (up to `confirm` more
// times) and fail only when the regression persists. The rule is sequential: a metric stays
// "regressed" only while EVERY run so far regressed on it; the first rerun in which no metric of the
// first run's list still regresses clears the scenario and stops. With independent runs a false
// alarm that has probability p in one run survives k reruns with probability about p^(k+1); a real
// slowdown detected with probability d per run is confirmed with probability d^(k+1), so reruns pay
// off only once a single run detects a shift almost surely (see docs/verdicts.md for the figures).
//
// Crossed thresholds (k6 exit 99) and errors are never rerun: only a pure regression is.
/** Reruns when the project sets none: see docs/verdicts.md for the figures behind it. */
const DEFAULT_CONFIRM = 1;



/** The identity of a watched value across runs. */
function metricId(row) {
    return `${row.metric} ${row.stat}`;
}
/** Whether a run's outcome may be rerun at all: regressions only. */
function mayConfirm(outcome) {
    return outcome === 'regressed';
}
/** The state after the first run, from its regressed rows. */
function startConfirm(regressed) {
    return { persisting: [...new Set(regressed.map(metricId))], runs: 1 };
}
/** Adds one rerun's regressed rows: what still persists. */
function addConfirmRun(state, regressed) {
    const now = new Set(regressed.map(metricId));
    return { persisting: state.persisting.filter((id) => now.has(id)), runs: state.runs + 1 };
}
/** True while another rerun is worth making: something persists and reruns are left. */
function shouldRerun(state, maxReruns) {
    return state.persisting.length > 0 && state.runs - 1 < maxReruns;
}
/**
 * The rows' MDE for a gate whose regressions must survive `maxReruns` reruns: each run must see the
 * change, so the MDE is the one at which all of them do with 80 % power (mdeForRuns).
 */
function withRerunMde(result, maxReruns) {
    if (maxReruns <= 0)
        return result;
    return { ...result, metrics: result.metrics.map((row) => (0,compare/* mdeForRuns */.Ql)(row, maxReruns + 1)) };
}
/**
 * Runs a scenario, and when it regressed, reruns it (up to `maxReruns` times) under the rule above.
 * `runOnce(attempt)` makes one k6 run (attempt 1, 2, …) and compares it. The result is the last
 * run's, with every watched value's numbers of every run (`runs`), verdicts of values that did not
 * regress in every run turned to `unchanged`, and a sentence saying what happened.
 */
async function runWithConfirmation(runOnce, maxReruns, log) {
    const first = withRerunMde(await runOnce(1), maxReruns);
    if (maxReruns <= 0 || !mayConfirm(first.outcome))
        return first;
    const all = [first];
    let state = startConfirm(first.metrics.filter(compare/* isRegression */.kj));
    let stoppedBy;
    while (shouldRerun(state, maxReruns)) {
        log.info(`k6-gate: ${state.persisting.join(', ')} regressed; confirmation rerun ${state.runs} of ${maxReruns}`);
        const next = await runOnce(state.runs + 1);
        all.push(next);
        if (next.outcome === 'error' || next.outcome === 'thresholds-failed') {
            // Crossed thresholds and errors are never rerun away, nor judged as "cleared".
            stoppedBy = next;
            state = { ...state, runs: state.runs + 1 };
            break;
        }
        state = addConfirmRun(state, next.metrics.filter(compare/* isRegression */.kj));
    }
    const last = withRerunMde(all[all.length - 1], maxReruns);
    const byId = (run) => new Map(run.metrics.map((m) => [metricId(m), m]));
    const maps = all.map(byId);
    const persisting = new Set(state.persisting);
    const metrics = last.metrics.map((row) => {
        const id = metricId(row);
        const values = maps.map((m) => m.get(id)?.current);
        const regressedIn = maps.filter((m) => {
            const r = m.get(id);
            return r !== undefined && (0,compare/* isRegression */.kj)(r);
        }).length;
        const out = { ...row };
        if (values.every((v) => v !== undefined))
            out.runs = values;
        if (regressedIn === 0)
            return out;
        if (stoppedBy === undefined && !persisting.has(id)) {
            out.verdict = 'unchanged';
            delete out.severity;
            out.note = `${row.note}; regressed in ${regressedIn} of ${all.length} runs: not confirmed`;
        }
        else {
            out.note = `${row.note}; regressed in ${regressedIn} of ${all.length} runs`;
        }
        return out;
    });
    const k6WallMs = all.reduce((sum, r) => sum + (r.k6WallMs ?? 0), 0);
    // A run whose numbers could not decide (a starved k6) leaves the verdict inconclusive at best.
    const inconclusive = joinedReasons(all);
    // The rows persisting regressions kept decide, as for a single run.
    const outcome = stoppedBy ? stoppedBy.outcome : scenarioOutcome({ thresholds: last.thresholds, metrics, inconclusive });
    let verdictNote;
    if (stoppedBy) {
        verdictNote = `confirmation rerun ${all.length - 1} ended ${stoppedBy.outcome}; ${all.length} k6 runs, ${(0,src_format/* formatDuration */.a3)(k6WallMs)} of k6`;
    }
    else if (persisting.size > 0) {
        verdictNote = `regression confirmed: ${[...persisting].join(', ')} regressed in all ${all.length} runs; ${(0,src_format/* formatDuration */.a3)(k6WallMs)} of k6`;
    }
    else {
        verdictNote = `first run regressed, ${all.length === 2 ? 'the rerun' : `rerun ${all.length - 1}`} did not: not confirmed, passed; ${all.length} k6 runs, ${(0,src_format/* formatDuration */.a3)(k6WallMs)} of k6`;
    }
    log.info(`k6-gate: ${verdictNote}`);
    return { ...last, outcome, metrics, k6WallMs, k6Runs: all.length, verdictNote, inconclusive };
}
/** Every run's reason to be inconclusive, each said once with the run it came from; undefined when none had one. */
function joinedReasons(runs) {
    const said = runs.flatMap((r, i) => (r.inconclusive ? [runs.length > 1 ? `run ${i + 1}: ${r.inconclusive}` : r.inconclusive] : []));
    return said.length > 0 ? said.join('; ') : undefined;
}

;// CONCATENATED MODULE: ./src/verdict/ab.ts
// A/B paired mode: the same scenario against a deployment of the base version (A, `baseline-target`)
// and the candidate (B, `target`), in short interleaved rounds in ABBA order (A B, B A, A B, …), in
// one job on one runner. Whatever the runner does to the numbers (a noisy neighbour, a slower
// machine than the one that recorded the baseline, drift during the job) hits both sides of a pair
// alike, so the per-pair difference keeps only the change itself.
//
// The decision per watched value uses the pairs' differences B − A (sign turned so that positive is
// worse): the exact Wilcoxon signed-rank test (distribution-free; a latency's run-to-run noise is
// skewed and has outliers, so no normality is assumed), two-sided at AB_ALPHA, AND a practical size:
// the median of the per-pair ratios B/A must be past AB_MIN_EFFECT (for ratios such as error rates:
// the median difference past the noise floor). Six pairs is the smallest count at which the exact
// test can reach p < 0.05 at all (p = 2/64 when every pair points the same way).
//
// Both sides must answer: a round in which every request failed ends the rounds with an error naming
// the side (a deployment that is down answers fastest of all, so its numbers would look like a win).
// Some failed requests are a measurement like any other: the error rate is compared, and a candidate
// answering 500s where the base answers 200s regresses on it.






/** Pairs of rounds (each pair is one A run and one B run). */
const AB_PAIRS = 6;
/** Two-sided level of the signed-rank test. */
const AB_ALPHA = 0.05;
/** Smallest relative change A/B mode calls a regression (median of the pair ratios). */
const AB_MIN_EFFECT = 0.05;
/** ABBA order: pair i runs A first when i is even, B first when odd. */
function abOrder(pairs) {
    const out = [];
    for (let i = 0; i < pairs; i++) {
        const sides = i % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
        for (const side of sides)
            out.push({ pair: i + 1, side });
    }
    return out;
}
/** The A/B verdict of one value from its per-pair values (pure). */
function decidePaired(a, b, direction, unit, noiseFloor, alpha = AB_ALPHA, minEffect = AB_MIN_EFFECT) {
    const n = Math.min(a.length, b.length);
    const worseSign = direction === 'higher-is-better' ? -1 : 1;
    const differences = Array.from({ length: n }, (_, i) => b[i] - a[i]);
    const test = (0,sampling/* wilcoxonSignedRank */.QH)(differences.map((d) => d * worseSign));
    const difference = (0,stats/* median */.JZ)(differences);
    const ratios = Array.from({ length: n }, (_, i) => (a[i] > 0 ? b[i] / a[i] - 1 : NaN));
    const change = ratios.every(Number.isFinite) ? (0,stats/* median */.JZ)(ratios) : undefined;
    const worse = difference * worseSign;
    const big = unit === 'ratio' || change === undefined ? Math.abs(difference) > noiseFloor : Math.abs(change) > minEffect;
    let verdict = 'unchanged';
    if (test.p <= alpha && big && Math.abs(difference) > noiseFloor)
        verdict = worse > 0 ? 'regressed' : 'improved';
    return { verdict, change, difference, p: test.p, pairs: n };
}
function sideName(side) {
    return side === 'A' ? 'baseline-target (A)' : 'target (B)';
}
/** `N of M requests failed (http_req_failed)` when every request of the round failed (the side is down). */
function failedRequests(result) {
    const values = result.summary?.metrics.http_req_failed?.values;
    if (!values || !(values.rate >= 1))
        return undefined;
    const failed = values.passes;
    const total = failed !== undefined && values.fails !== undefined ? failed + values.fails : undefined;
    return failed !== undefined && total !== undefined
        ? `${failed} of ${total} requests failed (http_req_failed)`
        : `${(values.rate * 100).toFixed(1)} % of the requests failed (http_req_failed)`;
}
/** The result of rounds that ended before the last pair: the last round's, with why there is no verdict. */
function endedEarly(rounds, pair, side) {
    const result = rounds[rounds.length - 1].result;
    const k6WallMs = rounds.reduce((s, r) => s + (r.result.k6WallMs ?? 0), 0);
    return {
        ...result,
        k6WallMs,
        k6Runs: rounds.length,
        verdictNote: `A/B round ${pair} against ${sideName(side)} ended ${result.outcome}; no A/B verdict`,
    };
}
/**
 * Runs the A/B rounds and decides. `runRound` makes one k6 run against one side and returns its
 * result compared as usual (the rows carry the values, units, directions and noise floors); the
 * verdicts of the returned rows are replaced by the paired ones. The scenario result is the last
 * B round's (its summary is what the baseline records: absolute numbers for the trend).
 */
async function runAB(runRound, noiseFloorOf, log, pairs = AB_PAIRS) {
    const rounds = [];
    for (const { side, pair } of abOrder(pairs)) {
        log.info(`k6-gate: A/B pair ${pair}: ${side === 'A' ? 'A (baseline-target)' : 'B (target)'}`);
        const result = await runRound(side, pair);
        rounds.push({ side, pair, result });
        // A side whose every request failed measured no deployment (a base that is down answers fastest
        // of all): an error naming the side, and nothing for the baseline to learn.
        const failed = failedRequests(result);
        if (failed && result.outcome !== 'error') {
            const { summary: _unrecorded, ...measured } = result;
            const error = `A/B round ${pair} against ${sideName(side)}: ${failed}; a paired comparison needs both deployments answering`;
            rounds[rounds.length - 1].result = { ...measured, outcome: 'error', error };
            return endedEarly(rounds, pair, side);
        }
        // Thresholds crossed and errors end the rounds: they are outcomes of their own, never averaged away.
        if (result.outcome === 'error' || result.outcome === 'thresholds-failed')
            return endedEarly(rounds, pair, side);
    }
    const aRuns = rounds.filter((r) => r.side === 'A').sort((x, y) => x.pair - y.pair);
    const bRuns = rounds.filter((r) => r.side === 'B').sort((x, y) => x.pair - y.pair);
    const last = bRuns[bRuns.length - 1].result;
    const valuesOf = (runs, id) => runs.map((r) => r.result.metrics.find((m) => metricId(m) === id)?.current);
    const metrics = last.metrics.map((row) => {
        const id = metricId(row);
        const a = valuesOf(aRuns, id);
        const b = valuesOf(bRuns, id);
        if (a.some((v) => v === undefined) || b.some((v) => v === undefined))
            return row;
        const noiseFloor = noiseFloorOf(row);
        const decision = decidePaired(a, b, row.direction, row.unit, noiseFloor);
        const aMedian = (0,stats/* median */.JZ)(a);
        const bMedian = (0,stats/* median */.JZ)(b);
        const out = {
            ...row,
            verdict: decision.verdict,
            method: 'paired',
            runs: b,
            abBaseline: a,
            abDecision: { p: decision.p, alpha: AB_ALPHA, difference: decision.difference, noiseFloor, minEffect: AB_MIN_EFFECT },
            note: `A/B ${row.stat}: B ${(0,src_format/* formatValue */.Fl)(bMedian, row.unit)} vs A ${(0,src_format/* formatValue */.Fl)(aMedian, row.unit)} (medians of ${decision.pairs} ABBA pairs), ` +
                `${decision.change === undefined ? `difference ${(0,src_format/* formatDelta */.CW)(decision.difference, row.unit)}` : `${(0,src_format/* formatChange */.eD)(decision.change)} median pair ratio`}, ` +
                `signed-rank p = ${decision.p.toFixed(3)}; history: ${row.note}`,
        };
        if (decision.change !== undefined)
            out.change = decision.change;
        delete out.band;
        delete out.limitBy;
        // The history's MDE says nothing about the pairs; six ABBA pairs have none worth stating (docs/baseline.md).
        delete out.mde;
        delete out.mdeBasis;
        return out;
    });
    const k6WallMs = rounds.reduce((s, r) => s + (r.result.k6WallMs ?? 0), 0);
    const inconclusive = joinedReasons(rounds.map((r) => r.result));
    const outcome = scenarioOutcome({ thresholds: last.thresholds, metrics, inconclusive });
    const regressed = metrics.filter(compare/* isRegression */.kj).map(metricId);
    const verdictNote = `A/B mode: ${pairs} ABBA pairs (${rounds.length} k6 runs, ${(0,src_format/* formatDuration */.a3)(k6WallMs)} of k6) against baseline-target (A) and target (B); ` +
        (regressed.length > 0 ? `B is worse on ${regressed.join(', ')}` : 'no paired difference beyond the limits');
    log.info(`k6-gate: ${verdictNote}`);
    return { ...last, outcome, metrics, k6WallMs, k6Runs: rounds.length, verdictNote, inconclusive };
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: ./src/k6/files.ts
var k6_files = __nccwpck_require__(7998);
// EXTERNAL MODULE: ./src/k6/summary.ts
var k6_summary = __nccwpck_require__(817);
// EXTERNAL MODULE: ./src/metric-kind.ts
var metric_kind = __nccwpck_require__(694);
// EXTERNAL MODULE: ./src/verdict/duet/decision.ts + 2 modules
var decision = __nccwpck_require__(5208);
// EXTERNAL MODULE: ./src/verdict/duet/run.ts
var run = __nccwpck_require__(2813);
;// CONCATENATED MODULE: ./src/verdict/duet/scenario-result.ts



/** Trend statistics a duet compares window by window (avg, med, min, max, p(N)). */
const TREND_STAT = /^(avg|med|min|max|p\(\d+(?:\.\d+)?\))$/;
/** k6's built-in gauges: they have min and max, but no per-request distribution to pair. */
const GAUGES = new Set(['vus', 'vus_max']);
/**
 * The watched statistics a duet can compare, and the ones it cannot with why: a trend's statistics
 * (k6 pushes each trend as a histogram per second) and the failed-request rate (from the requests
 * of each window). Counters, checks, rates of other metrics and submetrics have no per-window
 * value on both sides to pair.
 */
function duetStatsOf(watch) {
    const stats = [];
    const left = [];
    for (const rule of watch) {
        const id = `${rule.metric}:${rule.stat}`;
        if (rule.metric === 'http_req_failed' && rule.stat === 'rate')
            stats.push({ metric: rule.metric, stat: rule.stat });
        else if (!rule.metric.includes('{') && !GAUGES.has(rule.metric) && TREND_STAT.test(rule.stat))
            stats.push({ metric: rule.metric, stat: rule.stat });
        else
            left.push(id);
    }
    return { stats, left };
}
const AA_NOTE = "A/A check: the duet of the base against itself; equivalent means the two sides' infrastructure is alike";
/** The scenario's result from the duet's. */
function duetScenarioResult(m) {
    const { duet } = m;
    const last = duet.looks.at(-1);
    const metrics = (last?.stats ?? []).map((s) => duetRow(s, m));
    const k6WallMs = duet.runs.reduce((sum, r) => sum + r.result.wallMs, 0);
    const result = {
        ...m.scenario,
        thresholds: m.thresholds,
        metrics,
        files: { ...m.scenario.files, ...m.files },
        k6WallMs,
        k6Runs: duet.runs.length,
        verdictNote: verdictNote(m),
        duet: duetRecord(m),
    };
    if (duet.outcome === 'error') {
        result.outcome = 'error';
        result.error = `duet: ${duet.error ?? duet.reason}`;
        return result;
    }
    const base = duet.outcome === 'inconclusive' ? 'inconclusive' : 'passed';
    result.outcome = scenarioOutcome({ thresholds: m.thresholds, metrics }, m.thresholdsCrossed ? 'thresholds-failed' : base);
    if (duet.outcome === 'inconclusive')
        result.inconclusive = duet.reason;
    // k6 starved of CPU while it measured: the duet's answer cannot be trusted (a regression still wins).
    if (duet.untrustworthy)
        markInconclusive(result, `the load generator was unhealthy: ${duet.untrustworthy}`);
    return result;
}
/** "duet stopped at look 1 of 3 after 20 s of k6 per side: B is worse than A on …". */
function verdictNote({ duet, blockMs, maxDurationMs, aa }) {
    const looks = Math.floor(maxDurationMs / blockMs);
    const perSide = (0,src_format/* formatDuration */.a3)(duet.k6Seconds * 1000);
    const said = duet.outcome === 'error'
        ? `duet ended with an error after ${perSide} of k6 per side: ${duet.reason}`
        : duet.looks.length === 0
            ? `duet stopped before its first look after ${perSide} of k6 per side: ${duet.reason}`
            : `duet stopped at look ${duet.looks.length} of ${looks} after ${perSide} of k6 per side: ${duet.reason}`;
    return aa ? `${AA_NOTE}. ${said}` : said;
}
const VERDICT = {
    regressed: 'regressed',
    improved: 'improved',
    equivalent: 'unchanged',
    undecided: 'inconclusive',
};
/** One watched statistic as a row of the table. */
function duetRow(s, m) {
    const [metric, stat] = splitId(s.id);
    const rule = m.rules.find((r) => (0,decision/* duetStatId */.Eb)(r) === s.id);
    const direction = rule?.direction ?? 'lower-is-better';
    const isRate = s.kind === 'difference';
    const unit = isRate ? 'ratio' : m.timeMetrics.has(metric) ? 'ms' : 'none';
    // The decision calls B above A "regressed"; a statistic where higher is better turns that round.
    let verdict = VERDICT[s.verdict];
    if (direction === 'higher-is-better' && (verdict === 'regressed' || verdict === 'improved'))
        verdict = verdict === 'regressed' ? 'improved' : 'regressed';
    const row = {
        metric,
        stat,
        unit,
        direction,
        verdict,
        method: 'duet',
        samples: s.windows,
        tolerance: isRate ? 0 : m.options.minEffect,
        note: rowNote(s, stat, unit),
    };
    if (Number.isFinite(s.pooledA))
        row.baseline = s.pooledA;
    if (Number.isFinite(s.pooledB))
        row.current = s.pooledB;
    const change = isRate ? (s.pooledA > 0 ? s.pooledB / s.pooledA - 1 : undefined) : s.change;
    if (change !== undefined && Number.isFinite(change))
        row.change = change;
    if (Number.isFinite(s.mde))
        row.mde = s.mde;
    if (Number.isFinite(s.pooledA)) {
        // Values inside are no change: A pooled, widened by the floor that applied.
        const f = s.floor.value;
        row.band = isRate ? { low: s.pooledA - f, high: s.pooledA + f } : { low: s.pooledA / (1 + f), high: s.pooledA * (1 + f) };
        row.limitBy = s.floor.source === 'window noise' ? 'noise floor' : 'tolerance';
    }
    return row;
}
function splitId(id) {
    const at = id.lastIndexOf(':');
    return [id.slice(0, at), id.slice(at + 1)];
}
/** A floor as the report's table writes it: `2%`, `2.6%`, `0.12 pp`. */
const size = (isRate, v) => (isRate ? (0,src_format/* formatSetting */.w_)(v, 'ratio') : (0,src_format/* formatPercent */.l9)(v));
/** "duet p(95): B 52.1 ms vs A 50 ms, +4.2% (interval +3.1% … +5.3%), p = 0.001, 40 paired windows; …". */
function rowNote(s, stat, unit) {
    const isRate = s.kind === 'difference';
    const sides = `duet ${stat}: B ${(0,src_format/* formatValue */.Fl)(s.pooledB, unit)} vs A ${(0,src_format/* formatValue */.Fl)(s.pooledA, unit)}`;
    if (!Number.isFinite(s.change))
        return `${sides}; ${s.note ?? 'too few paired windows'}`;
    const show = (v) => (isRate ? (0,src_format/* formatPointChange */.eS)(v) : (0,src_format/* formatChange */.eD)(v));
    const said = s.verdict === 'equivalent'
        ? (s.note ?? 'equivalent')
        : s.verdict === 'undecided'
            ? `undecided: ${s.note ?? 'the interval is too wide'}`
            : `${s.verdict} (p ${s.p.toFixed(4)} ≤ ${s.level.toFixed(4)})`;
    const floor = s.floor.source === 'window noise'
        ? `floor ±${size(isRate, s.floor.value)} from the window noise (wider than the practical size)`
        : `floor ±${size(isRate, s.floor.value)}, the practical size`;
    return (`${sides}, ${show(s.change)} (interval ${show(s.interval[0])} … ${show(s.interval[1])}), ` +
        `p = ${s.p.toFixed(4)} over ${s.windows} paired windows; ${said}; ${floor}`);
}
const finite = (v) => (Number.isFinite(v) ? v : undefined);
/** The compact record of the duet for comparison.json (no windows: those go to their own file). */
function duetRecord({ duet, blockMs, maxDurationMs, options, aa }) {
    const stats = (duet.looks.at(-1)?.stats ?? []).map((s) => {
        const record = { id: s.id, verdict: s.verdict, windows: s.windows, level: s.level, floor: s.floor };
        if (finite(s.change) !== undefined)
            record.change = s.change;
        if (s.interval.every(Number.isFinite))
            record.interval = s.interval;
        if (finite(s.p) !== undefined)
            record.p = s.p;
        if (finite(s.mde) !== undefined)
            record.mde = s.mde;
        return record;
    });
    return {
        outcome: duet.outcome === 'continue' ? 'inconclusive' : duet.outcome,
        stopReason: duet.reason,
        ...(duet.side ? { side: duet.side } : {}),
        ...(aa ? { aa } : {}),
        k6SecondsPerSide: duet.k6Seconds,
        blockSeconds: blockMs / 1000,
        maxSeconds: maxDurationMs / 1000,
        minEffect: options.minEffect,
        looks: duet.looks.map((l) => ({ look: l.look, fraction: l.fraction, outcome: l.outcome, reason: l.reason })),
        stats,
    };
}

// EXTERNAL MODULE: ./src/k6/environment.ts
var environment = __nccwpck_require__(4976);
// EXTERNAL MODULE: ./src/k6/inspect.ts
var inspect = __nccwpck_require__(2061);
// EXTERNAL MODULE: ./src/k6/run.ts
var k6_run = __nccwpck_require__(9316);
;// CONCATENATED MODULE: ./src/k6/script-error.ts
// What a k6 script threw, read back from k6's log: a report that says "the script threw an
// exception" should show which one, not send the reader to the log. k6 writes its log as logfmt on
// stderr when it is not a terminal: `level=error msg="TypeError: …\n\tat login (file:///…)\n"
// hint="script exception"`, or `msg="test aborted: …"` (`test.abort()`), `msg="test marked as
// failed: …"` (`test.fail()`).

/** k6 exit codes whose cause is in the script: an exception (107), `test.abort()` (108), `test.fail()` (110). */
const SCRIPT_EXIT_CODES = new Set([107, 108, 110]);
/** The most of an exception kept: its message and the top of its stack. */
const MAX_EXCEPTION_LENGTH = 4_000;
const MESSAGE = /\bmsg="((?:[^"\\]|\\.)*)"/;
/** A Go-quoted string's content (k6's logfmt quotes with Go's %q: \n, \t, \", \\, \xNN, \uNNNN). */
function unquote(inner) {
    return inner.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e) => {
        if (e.length > 1)
            return String.fromCodePoint(parseInt(e.slice(1), 16));
        return { n: '\n', t: '\t', r: '\r' }[e] ?? e;
    });
}
/** The first exception, abort or failure reason in k6's log text; undefined when there is none. */
function scriptException(log) {
    let fallback;
    for (const line of log.split('\n')) {
        if (!/\blevel=error\b/.test(line))
            continue;
        const quoted = MESSAGE.exec(line)?.[1];
        if (quoted === undefined)
            continue;
        const message = unquote(quoted).trimEnd();
        if (/\bhint="script exception"/.test(line))
            return message.slice(0, MAX_EXCEPTION_LENGTH);
        if (!fallback && /^test (aborted|marked as failed):/.test(message))
            fallback = message.slice(0, MAX_EXCEPTION_LENGTH);
    }
    return fallback;
}
/** The script's exception from the run's log file, when k6's exit code says the script stopped it. */
async function readScriptException(logFile, exitCode) {
    if (exitCode === null || exitCode === undefined || !SCRIPT_EXIT_CODES.has(exitCode))
        return undefined;
    const log = await (0,promises_.readFile)(logFile, 'utf8').catch(() => '');
    return scriptException(log);
}

// EXTERNAL MODULE: ./src/k6/load-health.ts
var load_health = __nccwpck_require__(3684);
// EXTERNAL MODULE: ./src/json.ts
var json = __nccwpck_require__(8301);
;// CONCATENATED MODULE: ./src/samples/analysis.ts

/**
 * The fewest requests a p(95) must rest on, in this run and in the baseline's entry, to be compared:
 * below 20 a p(95) is the slowest request or two (a setup() call, one cold request), and its change
 * says nothing about the endpoint, so it neither shows a change nor leads the table.
 */
const MIN_REQUESTS_FOR_CHANGE = 20;
function analyseSamples(aggregator, options = {}) {
    const top = options.top ?? 10;
    const start = Number.isFinite(aggregator.firstTime) ? aggregator.firstTime : 0;
    const all = [];
    const errors = [];
    for (const state of aggregator.breakdown?.endpoints.values() ?? []) {
        if (state.requests === 0 && state.failed === 0)
            continue;
        const d = state.duration;
        const row = {
            endpoint: state.endpoint,
            requests: state.requests,
            failed: state.failed,
            failureRate: state.requests > 0 ? state.failed / state.requests : 0,
            avg: d.avg,
            med: d.percentile(50),
            p95: d.percentile(95),
            max: d.max,
        };
        const base = options.baseline?.[state.endpoint];
        if (base !== undefined &&
            base.p95 > 0 &&
            Number.isFinite(row.p95) &&
            row.requests >= MIN_REQUESTS_FOR_CHANGE &&
            base.requests >= MIN_REQUESTS_FOR_CHANGE) {
            row.baselineP95 = base.p95;
            row.p95Change = row.p95 / base.p95 - 1;
        }
        all.push(row);
        for (const kind of state.errors.values()) {
            errors.push({
                endpoint: state.endpoint,
                status: kind.status,
                errorCode: kind.errorCode,
                count: kind.count,
                firstAt: new Date(kind.firstAt).toISOString(),
                firstAfterMs: Math.max(0, kind.firstAt - start),
            });
        }
    }
    // The endpoints that moved most against the baseline lead; then the slowest by p(95).
    const byChange = all
        .filter((r) => r.p95Change !== undefined)
        .sort((a, b) => b.p95Change - a.p95Change)
        .slice(0, Math.ceil(top / 2));
    const chosen = new Set(byChange);
    for (const row of [...all].sort((a, b) => b.p95 - a.p95 || b.requests - a.requests)) {
        if (chosen.size >= top)
            break;
        chosen.add(row);
    }
    const endpoints = [...chosen].sort((a, b) => (b.p95Change ?? -Infinity) - (a.p95Change ?? -Infinity) || b.p95 - a.p95 || (0,json/* compareCodeUnits */.U)(a.endpoint, b.endpoint));
    errors.sort((a, b) => b.count - a.count || a.firstAfterMs - b.firstAfterMs);
    const failedChecks = [...aggregator.checks.values()]
        .filter((c) => c.fails > 0)
        .sort((a, b) => b.fails - a.fails)
        .map((c) => ({ name: c.name, fails: c.fails, passes: c.passes }));
    return {
        samples: aggregator.samples,
        endpointCount: all.length,
        endpoints,
        errors: errors.slice(0, options.topErrors ?? 10),
        failedChecks,
    };
}

// EXTERNAL MODULE: ./src/samples/aggregator.ts + 1 modules
var samples_aggregator = __nccwpck_require__(3244);
// EXTERNAL MODULE: ./src/samples/ndjson.ts + 1 modules
var ndjson = __nccwpck_require__(9863);
;// CONCATENATED MODULE: ./src/samples/live.ts
// Live sample analysis: reads k6's `--out json=<file>` while k6 is still writing it, into the one
// sample aggregator. Design and measurements: docs/adr/0003-live-samples.md.
//
// A plain file, not a FIFO: k6 never waits for k6-gate (a slow reader cannot lower k6's request
// rate), and the file is read in 1 MiB slices from where the last read stopped, so k6-gate's
// memory is the aggregator's bounded state plus one buffer, whatever the run length.



const SLICE = 1 << 20;
/** Starts following `file`; the file may not exist yet (k6 creates it when the test starts). */
function startLiveAnalysis(options) {
    const aggregator = new samples_aggregator/* SampleAggregator */.oA({ breakdown: true, ...options.aggregator, log: options.log });
    for (const name of options.watched ?? [])
        aggregator.wantSubmetric(name);
    const span = { first: Infinity, last: -Infinity };
    let lineNumber = 0;
    let badLines = 0;
    let problem;
    const where = () => `${options.file}:${lineNumber}`;
    const splitter = new ndjson/* LineSplitter */.g3((line) => {
        lineNumber++;
        try {
            aggregator.line(line, 0, span, where);
        }
        catch (error) {
            if (!(error instanceof samples_aggregator/* SampleError */.jA))
                throw error;
            badLines++;
            if (!problem) {
                problem = error.message;
                options.log?.warning(`live analysis: ${error.message}`);
            }
        }
    });
    const buffer = Buffer.allocUnsafe(SLICE);
    let handle;
    let position = 0;
    let reading = Promise.resolve();
    let stopped = false;
    const readAvailable = async () => {
        if (!handle) {
            try {
                handle = await (0,promises_.open)(options.file, 'r');
            }
            catch (error) {
                if (error.code === 'ENOENT')
                    return;
                throw error;
            }
        }
        for (;;) {
            const { bytesRead } = await handle.read(buffer, 0, SLICE, position);
            if (bytesRead === 0)
                return;
            position += bytesRead;
            // The splitter copies what it keeps, so the buffer can be reused.
            splitter.push(buffer.subarray(0, bytesRead));
        }
    };
    const tick = () => {
        reading = reading.then(readAvailable).catch((error) => {
            if (!problem)
                problem = `could not read ${options.file}: ${error.message}`;
        });
    };
    const timer = setInterval(() => {
        if (!stopped)
            tick();
    }, options.pollMs ?? 200);
    timer.unref();
    tick();
    return {
        async stop() {
            stopped = true;
            clearInterval(timer);
            tick();
            await reading;
            splitter.end();
            await handle?.close();
            if (aggregator.samples === 0 && !problem)
                problem = `k6 wrote no samples to ${options.file}`;
            return { aggregator, samples: aggregator.samples, badLines, problem, bytes: position, source: 'json' };
        },
    };
}
/**
 * The samples of a finished raw file (`--out json=….json[.gz]`), for callers that have the file
 * rather than a live run (the noise bands' `collectRunSamples(rawFile, watched)` can point here).
 */
async function live_readRunSamples(file, watched = [], options = {}) {
    const aggregator = new SampleAggregator({ breakdown: true, ...options.aggregator, log: options.log });
    for (const name of watched)
        aggregator.wantSubmetric(name);
    const span = { first: Infinity, last: -Infinity };
    let lineNumber = 0;
    let bytes = 0;
    await forEachLine(file, (line) => {
        lineNumber++;
        bytes += line.length + 1;
        aggregator.line(line, 0, span, () => `${file}:${lineNumber}`);
    });
    return {
        aggregator,
        samples: aggregator.samples,
        badLines: 0,
        bytes,
        problem: aggregator.samples === 0 ? `${file} holds no samples` : undefined,
    };
}

// EXTERNAL MODULE: ./src/samples/remote-write.ts
var samples_remote_write = __nccwpck_require__(3715);
;// CONCATENATED MODULE: ./src/samples/run-analysis.ts
// Live analysis around one k6 run: where k6's samples go while it runs, the load generator's CPU
// sampling, `k6 inspect` for the executor model, and the findings once k6 is done.
//
// By default k6 pushes its samples, aggregated per tag set, to k6-gate's loopback receiver through
// its remote-write output (docs/adr/0004-remote-write-analysis.md); when the user's own Prometheus
// already has that output, k6-gate follows a plain --out json file instead
// (docs/adr/0003-live-samples.md). Either way the one sample aggregator gives the findings and the
// sampling bands of the verdict.








/** Starts the receiver (or the file follower) and the load sampler for one k6 run. */
async function startRunAnalysis(input) {
    const { env, log, watched } = input;
    const taken = (0,metrics_output/* remoteWriteTakenBy */.qK)(input.metricsOutputs, input.k6Args, { ...process.env, ...env });
    let live;
    let receiver;
    let liveOutput;
    const args = [];
    if (taken) {
        liveOutput = external_node_path_default().join(input.resultsDir, `.k6-live-${input.fileName}.json`);
        live = startLiveAnalysis({ file: liveOutput, log, watched });
        log.info(`k6-gate: live analysis follows k6's JSON output (${taken}; at high request rates this costs k6 CPU)`);
    }
    else {
        receiver = await (0,samples_remote_write/* startRemoteWriteAnalysis */.q7)({ log, watched });
        const setup = (0,metrics_output/* liveRemoteWriteSetup */.L9)(receiver.url, input.k6Version, env);
        Object.assign(env, setup.env);
        args.push(...setup.args);
    }
    const sampler = (0,load_health/* startLoadSampler */.L3)({ gomaxprocs: env.GOMAXPROCS });
    // `k6 inspect` runs next to the test, started once `k6 run` is spawned (not before it).
    let inspecting = Promise.resolve(undefined);
    return {
        args,
        liveOutput,
        onSpawn: (pid) => {
            sampler.watch(pid);
            inspecting = input.inspect();
        },
        stop: async () => {
            const loadSamples = sampler.stop();
            const executorModel = await inspecting;
            let samples;
            if (live) {
                samples = await live.stop();
                await (0,promises_.rm)(liveOutput, { force: true }).catch(() => undefined);
            }
            if (receiver)
                samples = await receiver.stop();
            if (samples)
                log.info(`k6-gate: live analysis read ${describeSamples(samples)}${samples.problem ? `; ${samples.problem}` : ''}`);
            return { samples, loadSamples, executorModel };
        },
    };
}
function describeSamples(samples) {
    return samples.source === 'remote-write'
        ? `${(0,src_format/* formatCount */.B4)(samples.samples)} samples from k6's remote-write pushes (${(samples.bytes / 2 ** 10).toFixed(0)} KiB)`
        : `${(0,src_format/* formatCount */.B4)(samples.samples)} samples (${(samples.bytes / 2 ** 20).toFixed(1)} MiB)`;
}
/**
 * The findings of a run: per-endpoint breakdown, error mix, failed checks and the load generator's
 * health; undefined when no sample arrived.
 */
function runFindings(measured, input) {
    const { samples } = measured;
    if (!samples || samples.samples === 0)
        return undefined;
    if (input.summary)
        (0,samples_remote_write/* addSummaryChecks */.JY)(samples, input.summary.checks);
    return {
        source: samples.source,
        ...analyseSamples(samples.aggregator, { top: input.top, baseline: input.baseline?.endpoints }),
        loadGenerator: (0,load_health/* judgeLoadGenerator */.$V)(input.summary, measured.loadSamples, input.k6Log, {
            run: measured.executorModel,
            baseline: input.baseline?.executorModel,
        }),
    };
}

// EXTERNAL MODULE: ./src/shard/merge-error.ts
var merge_error = __nccwpck_require__(8675);
;// CONCATENATED MODULE: ./src/shard/discovery.ts
// Finding the raw sample files (and summary exports) of one scenario's shards in a downloaded
// artifacts folder, and checking that they form one complete set.



function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
async function listFiles(dir) {
    try {
        const entries = await (0,promises_.readdir)(dir, { recursive: true, withFileTypes: true });
        return entries.filter((e) => e.isFile()).map((e) => external_node_path_default().join(e.parentPath ?? e.path, e.name));
    }
    catch (error) {
        throw new merge_error/* MergeError */.V(`cannot read the shard results folder ${dir}: ${error.message}; expected the folder the shard artifacts were downloaded into`, {
            cause: error,
        });
    }
}
function byShardOrder(a, b) {
    return external_node_path_default().basename(a).localeCompare(external_node_path_default().basename(b), 'en', { numeric: true }) || a.localeCompare(b);
}
/**
 * Checks that numbered shard files (`.shard-<i>-of-<N>`) form one complete set: a missing shard
 * would gate on part of the load, a duplicate would count it twice.
 */
function checkComplete(files, what) {
    const seen = new Map();
    let total;
    for (const file of files) {
        const match = /\.shard-(\d+)-of-(\d+)\./.exec(external_node_path_default().basename(file));
        if (!match)
            continue;
        const [index, count] = [Number(match[1]), Number(match[2])];
        if (total !== undefined && total !== count) {
            throw new merge_error/* MergeError */.V(`${what}: ${file} is a shard of ${count} but others are of ${total}; expected the files of one run only`);
        }
        total = count;
        if (seen.has(index))
            throw new merge_error/* MergeError */.V(`${what}: shard ${index} of ${count} appears twice (${seen.get(index)} and ${file}); expected one file per shard`);
        seen.set(index, file);
    }
    if (total !== undefined) {
        const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
        if (missing.length > 0) {
            throw new merge_error/* MergeError */.V(`${what}: shard(s) ${missing.join(', ')} of ${total} missing; found ${[...seen.keys()].sort((a, b) => a - b).join(', ')}. Did a shard job fail or its artifact expire?`);
        }
    }
}
/**
 * The raw sample files of one scenario's shards under `dir` (searched recursively, so artifacts
 * downloaded into one folder each work too): `k6-<scenario>.shard-*.json[.gz]`.
 */
async function findShardFiles(dir, scenario) {
    const pattern = new RegExp(`^k6-${escapeRegExp(scenario)}\\.shard-[^/]+\\.json(\\.gz)?$`);
    const all = await listFiles(dir);
    const files = all.filter((f) => pattern.test(external_node_path_default().basename(f))).sort(byShardOrder);
    if (files.length === 0) {
        const seen = all.slice(0, 8).map((f) => external_node_path_default().relative(dir, f));
        throw new merge_error/* MergeError */.V(`no shard files of scenario ${JSON.stringify(scenario)} in ${dir}; expected state-${scenario}.shard-<i>-of-<N>.json (or, from shards run with --raw-output, k6-${scenario}.shard-<i>-of-<N>.json.gz) (found ${seen.length ? seen.join(', ') + (all.length > 8 ? ', …' : '') : 'nothing'})`);
    }
    checkComplete(files, `shard files of ${scenario} in ${dir}`);
    return files;
}
/** The shards' summary exports (`summary-<scenario>.shard-*.json`), for threshold expressions; may be none. */
async function findShardSummaryFiles(dir, scenario) {
    const pattern = new RegExp(`^summary-${escapeRegExp(scenario)}\\.shard-[^/]+\\.json$`);
    return (await listFiles(dir)).filter((f) => pattern.test(external_node_path_default().basename(f))).sort(byShardOrder);
}
/**
 * The state files of one scenario's shards under `dir` (searched recursively):
 * `state-<scenario>.shard-*.json`; may be none (the shards then wrote raw samples). Their
 * completeness is checked from their contents (src/shard/state-merge.ts checkStatesComplete).
 */
async function findShardStateFiles(dir, scenario) {
    const pattern = new RegExp(`^state-${escapeRegExp(scenario)}\\.shard-[^/]+\\.json$`);
    return (await listFiles(dir)).filter((f) => pattern.test(external_node_path_default().basename(f))).sort(byShardOrder);
}

// EXTERNAL MODULE: ./src/samples/histogram.ts
var histogram = __nccwpck_require__(945);
;// CONCATENATED MODULE: ./src/samples/thresholds.ts

class ThresholdError extends errors/* ExpectedError */.Dh {
    constructor(message) {
        super(message);
        this.name = 'ThresholdError';
    }
}
const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(===|==|!=|<=|>=|<|>)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;
/** Aggregations k6 accepts per metric type (k6 docs, "Thresholds"). */
const ALLOWED = {
    counter: ['count', 'rate'],
    gauge: ['value'],
    rate: ['rate'],
    trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};
function parseThresholdExpression(text) {
    const match = EXPRESSION.exec(text);
    if (!match) {
        throw new ThresholdError(`threshold ${JSON.stringify(text)} is not "<aggregation> <operator> <number>"; expected e.g. "p(95)<500", "rate<0.01", "count>10" (operators < <= > >= == === !=)`);
    }
    const [, aggregationText, percentileText, operator, valueText] = match;
    const percentile = percentileText === undefined ? undefined : Number(percentileText);
    if (percentile !== undefined && percentile > 100) {
        throw new ThresholdError(`threshold ${JSON.stringify(text)}: percentile ${percentile} is above 100`);
    }
    return {
        source: text,
        aggregation: percentile === undefined ? aggregationText : 'p(N)',
        percentile,
        operator: operator,
        value: Number(valueText),
    };
}
/** The expression strings of one metric's entries (the object form's `threshold`). */
function thresholdExpressions(metric, entries) {
    const list = Array.isArray(entries) ? entries : [entries];
    return list.map((entry, i) => {
        if (typeof entry === 'string')
            return entry;
        if (entry && typeof entry === 'object' && typeof entry.threshold === 'string')
            return entry.threshold;
        throw new ThresholdError(`thresholds[${JSON.stringify(metric)}][${i}] is ${JSON.stringify(entry)}; expected a string such as "p(95)<500" or { threshold: "p(95)<500", abortOnFail: true }`);
    });
}
function thresholds_compare(actual, operator, expected) {
    switch (operator) {
        case '<':
            return actual < expected;
        case '<=':
            return actual <= expected;
        case '>':
            return actual > expected;
        case '>=':
            return actual >= expected;
        case '==':
        case '===':
            return actual === expected;
        case '!=':
            return actual !== expected;
    }
}
/**
 * Evaluates one expression. `type` undefined means the metric got no samples: k6 then leaves the
 * threshold passing (checked with k6 v1.8.1 and v2.2.0), and so do we.
 */
function evaluateThreshold(metric, expression, type, read) {
    if (type === undefined)
        return { metric, expression: expression.source, ok: true };
    if (!ALLOWED[type].includes(expression.aggregation)) {
        throw new ThresholdError(`threshold ${JSON.stringify(expression.source)} on ${type} metric ${metric}: "${expression.aggregation === 'p(N)' ? 'p(…)' : expression.aggregation}" does not apply; expected one of ${ALLOWED[type].join(', ')}`);
    }
    const actual = read(expression.aggregation === 'p(N)' ? 'p' : expression.aggregation, expression.percentile);
    return { metric, expression: expression.source, ok: Number.isFinite(actual) && thresholds_compare(actual, expression.operator, expression.value) };
}

;// CONCATENATED MODULE: ./src/samples/summary.ts
// The end-of-test summary of aggregated samples, in the shape k6's own summary has: trend stats,
// counter totals and rates, rate fractions, gauges, checks, and the thresholds re-evaluated.
// Pure: reads the aggregator's state, does no I/O.



/** k6's default summary trend stats plus p(99), which baselines commonly watch (the list k6 is run with). */
const DEFAULT_TREND_STATS = k6_summary/* SUMMARY_TREND_STATS */.$8;
/** Gauges that count per k6 instance; the whole test has the sum over shards (files). */
const PER_INSTANCE_GAUGES = new Set(['vus', 'vus_max']);
/**
 * The summary of everything the aggregator holds. `durationMs` is the test duration used for
 * counter rates; `trendStats` in `--summary-trend-stats` spelling.
 */
function summarizeSamples(aggregator, options) {
    const trendStats = options.trendStats ?? DEFAULT_TREND_STATS;
    validateTrendStats(trendStats);
    const durationMs = options.durationMs;
    const seconds = durationMs / 1000;
    const metrics = {};
    const types = new Map();
    const series = new Map();
    // Every trend series (metric or submetric name → its samples), for the sampling intervals of the verdict.
    const trends = new Map();
    let bounded = false;
    for (const metric of aggregator.metrics.values()) {
        for (const s of [metric.main, ...metric.submetrics]) {
            if (s.samples === 0)
                continue;
            types.set(s.name, metric.type);
            series.set(s.name, s);
            let values;
            if (metric.type === 'trend') {
                values = {};
                for (const stat of trendStats)
                    values[stat] = trendStat(s.trend, stat);
                if (!s.trend.isExact)
                    bounded = true;
                trends.set(s.name, s.trend);
            }
            else if (metric.type === 'counter') {
                values = { count: s.sum, rate: seconds > 0 ? s.sum / seconds : 0 };
            }
            else if (metric.type === 'rate') {
                values = { rate: s.nonZero / s.samples, passes: s.nonZero, fails: s.samples - s.nonZero };
            }
            else {
                values = gaugeValues(metric.name, s.gauges);
            }
            metrics[s.name] = { name: s.name, type: metric.type, contains: metric.contains, values, typeFrom: 'k6' };
        }
    }
    const thresholds = [];
    for (const [metric, expressions] of aggregator.thresholds) {
        for (const text of expressions) {
            const expression = parseThresholdExpression(text);
            const s = series.get(metric);
            const type = types.get(metric);
            thresholds.push(evaluateThreshold(metric, expression, type, (aggregation, percentile) => {
                // Read from the series, not the reported values: a threshold may use a stat trendStats leaves out.
                if (aggregation === 'p')
                    return s.trend.percentile(percentile);
                if (s.trend)
                    return trendStat(s.trend, aggregation) ?? NaN;
                return metrics[metric].values[aggregation] ?? NaN;
            }));
        }
    }
    const summary = {
        format: 'legacy',
        metrics,
        thresholds,
        checks: [...aggregator.checks.values()],
        durationMs,
    };
    return { summary, bounded, trends };
}
function gaugeValues(metric, gauges) {
    const states = [...gauges.values()];
    if (PER_INSTANCE_GAUGES.has(metric)) {
        return {
            value: states.reduce((s, g) => s + g.last, 0),
            min: states.reduce((s, g) => s + g.min, 0),
            max: states.reduce((s, g) => s + g.max, 0),
        };
    }
    const latest = states.reduce((a, b) => (b.lastTime > a.lastTime ? b : a));
    return { value: latest.last, min: Math.min(...states.map((g) => g.min)), max: Math.max(...states.map((g) => g.max)) };
}
function trendStat(trend, stat) {
    switch (stat) {
        case 'avg':
            return trend.avg;
        case 'min':
            return trend.min;
        case 'max':
            return trend.max;
        case 'med':
            return trend.percentile(50);
        case 'count':
            return trend.count;
        default: {
            const match = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
            return match ? trend.percentile(Number(match[1])) : undefined;
        }
    }
}
function validateTrendStats(stats) {
    for (const stat of stats) {
        if (!/^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/.test(stat)) {
            throw new samples_aggregator/* SampleError */.jA(`trend stat ${JSON.stringify(stat)} is not supported; expected avg, min, med, max, count or p(N) as in --summary-trend-stats`);
        }
    }
}

;// CONCATENATED MODULE: ./src/shard/merge.ts
// Merge mode: rebuilds the end-of-test summary of a whole sharded test from the raw samples every
// shard wrote with `--out json=….json.gz`, and re-evaluates the script's thresholds on it.
//
// The files are streamed line by line through gunzip into the one sample aggregator
// (src/samples/aggregator.ts); nothing holds a whole file, and the state
// kept per metric is bounded (see histogram.ts), so memory does not grow with the number of samples.
//
// Choices a reader of the merged numbers should know (docs/scale-out.md repeats them):
// - Test duration = the longest span from first to last sample time within one shard file. Shards
//   run the same schedule, so each one spans the test; CI jobs start seconds apart, so the span
//   across shards would include that skew and understate rates. k6's own duration also counts the
//   moments before the first and after the last sample, so merged rates read slightly higher
//   (a few ms over the whole test).
// - Counter `rate` = count / duration; rate metrics: passes / (passes + fails), exact.
// - Trends: count, avg, min, max exact; percentiles exact up to DEFAULT_EXACT_LIMIT samples per
//   series, then within ±relativeError (0.1%) of a true sample value — k6's interpolation rule.
// - Gauges: min and max over all points, value = the last point in time. Exception: `vus` and
//   `vus_max` count per instance, so the whole test's value, min and max are the sums over shards.
// - Thresholds come from the Metric lines of the raw files (`data.thresholds`), from the shards'
//   summary exports (k6 leaves submetric thresholds such as `http_req_duration{name:login}` out of
//   the Metric lines) and from the caller.















/** Threshold keys of a legacy `--summary-export` file (the expressions, not k6's verdicts). */
async function thresholdsOfSummary(file) {
    let data;
    try {
        data = JSON.parse(await (0,promises_.readFile)(file, 'utf8'));
    }
    catch (error) {
        throw new merge_error/* MergeError */.V(`shard summary ${file} could not be read as JSON: ${error.message}`, { cause: error });
    }
    const out = {};
    const metrics = data?.metrics;
    if (!metrics || typeof metrics !== 'object')
        return out;
    for (const [name, metric] of Object.entries(metrics)) {
        if (metric?.thresholds && typeof metric.thresholds === 'object')
            out[name] = Object.keys(metric.thresholds);
    }
    return out;
}
/** Merges the raw samples of all shards into the summary of the whole test. */
async function mergeShardResults(input) {
    if (input.files.length === 0) {
        throw new merge_error/* MergeError */.V('no shard result files to merge; expected one raw sample file (--out json=….json.gz) per shard');
    }
    const trendStats = input.trendStats ?? DEFAULT_TREND_STATS;
    validateTrendStats(trendStats);
    const started = Date.now();
    const merger = new samples_aggregator/* SampleAggregator */.oA(input);
    for (const [metric, entries] of Object.entries(input.thresholds ?? {})) {
        for (const expression of thresholdExpressions(metric, entries))
            merger.addThreshold(metric, expression);
    }
    for (const file of input.summaryFiles ?? []) {
        for (const [metric, expressions] of Object.entries(await thresholdsOfSummary(file))) {
            for (const expression of expressions)
                merger.addThreshold(metric, expression);
        }
    }
    for (const name of input.submetrics ?? [])
        merger.wantSubmetric(name);
    for (const [fileIndex, file] of input.files.entries()) {
        const span = { first: Infinity, last: -Infinity };
        let lineNumber = 0;
        const where = () => `${file}:${lineNumber}`;
        const onLine = (line) => {
            lineNumber++;
            merger.line(line, fileIndex, span, where);
        };
        try {
            await (0,ndjson/* forEachLine */.FF)(file, onLine);
        }
        catch (error) {
            if (error instanceof merge_error/* MergeError */.V || error instanceof samples_aggregator/* SampleError */.jA)
                throw error;
            const code = error.code;
            const why = code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message)
                ? ' (the gzip stream ends early: did k6 stop before closing the file?)'
                : '';
            throw new merge_error/* MergeError */.V(`could not read ${file} after line ${lineNumber}: ${error.message}${why}`, { cause: error });
        }
        if (span.last >= span.first)
            merger.longestSpanMs = Math.max(merger.longestSpanMs, span.last - span.first);
        input.log?.debug(`merged ${file}: ${lineNumber} lines`);
    }
    input.onProgress?.(merger.samples);
    if (merger.samples === 0) {
        throw new merge_error/* MergeError */.V(`the ${input.files.length} shard file(s) hold no samples: ${input.files.join(', ')}; did the shards run k6 with --out json?`);
    }
    const durationMs = merger.longestSpanMs;
    const { summary, bounded, trends } = summarizeSamples(merger, { durationMs, trendStats });
    const elapsed = Date.now() - started;
    input.log?.info(`merged ${(0,src_format/* formatCount */.B4)(merger.samples)} samples from ${input.files.length} shard file(s) in ${(0,src_format/* formatDuration */.a3)(elapsed)}; test duration ${(0,src_format/* formatDuration */.a3)(durationMs)}; ` +
        (bounded ? `percentiles within ±${(input.relativeError ?? histogram/* DEFAULT_RELATIVE_ERROR */.YY) * 100}% (histogram)` : 'percentiles exact'));
    return {
        summary,
        samples: merger.samples,
        durationMs,
        percentiles: bounded ? 'bounded' : 'exact',
        relativeError: input.relativeError ?? histogram/* DEFAULT_RELATIVE_ERROR */.YY,
        trends,
    };
}
/** Finds a scenario's shard files under `dir` and merges them: what `k6-gate merge --from DIR` does. */
async function mergeShardDir(input) {
    const { dir, scenario, ...rest } = input;
    const files = await findShardFiles(dir, scenario);
    const summaryFiles = await findShardSummaryFiles(dir, scenario);
    input.log?.info(`merging ${files.length} shard file(s) of ${scenario} from ${dir}${summaryFiles.length ? ` (+ ${summaryFiles.length} shard summaries for thresholds)` : ''}`);
    return mergeShardResults({ ...rest, files, summaryFiles });
}
/**
 * Merge mode for one scenario of the gate: merges the shard files of `scenario` under `dir`,
 * computing the submetrics the watch rules name, and writes the merged summary as
 * `summary-<scenario>.json` (legacy export layout) into `resultsDir`.
 */
async function mergeScenarioShards(input) {
    const merged = await mergeShardDir({
        dir: input.dir,
        scenario: input.scenario,
        trendStats: input.trendStats,
        submetrics: (input.watch ?? []).filter((name) => name.includes('{')),
        log: input.log,
    });
    await (0,promises_.writeFile)(external_node_path_default().join(input.resultsDir, input.summaryFile), (0,k6_summary/* legacySummaryExportText */.jE)(merged.summary));
    return { ...merged, summaryFile: input.summaryFile };
}

// EXTERNAL MODULE: ./src/shard/shard.ts
var shard = __nccwpck_require__(2332);
// EXTERNAL MODULE: ./src/shard/state.ts + 1 modules
var shard_state = __nccwpck_require__(2650);
// EXTERNAL MODULE: ./src/shard/state-histogram.ts
var state_histogram = __nccwpck_require__(1002);
;// CONCATENATED MODULE: ./src/shard/state-merge.ts




function parsePoint(text, segment, source) {
    const t = text.trim();
    let match = /^(\d+)\/(\d+)$/.exec(t);
    if (match && Number(match[2]) > 0)
        return [Number(match[1]), Number(match[2])];
    match = /^(\d+)(?:\.(\d+))?$/.exec(t);
    if (match) {
        const decimals = match[2] ?? '';
        return [Number(match[1] + decimals), 10 ** decimals.length];
    }
    throw new merge_error/* ShardStateError */.k(`${source}: execution segment ${JSON.stringify(segment)} is not "from:to"; expected e.g. "1/3:2/3"`);
}
function compareFractions(a, b) {
    return a[0] * b[1] - b[0] * a[1];
}
function showFraction([n, d]) {
    if (n === 0)
        return '0';
    if (n === d)
        return '1';
    const gcd = (x, y) => (y === 0 ? x : gcd(y, x % y));
    const g = gcd(n, d);
    return `${n / g}/${d / g}`;
}
function who(state, source) {
    const shard = state.shard ? `shard ${state.shard.index}/${state.shard.count}` : state.instance ? `runner ${state.instance}` : 'a runner';
    return `${shard} (segment ${state.segment}, ${source})`;
}
/**
 * Checks that the states are one whole test: one scenario, one segment sequence, every shard once,
 * and segments that cover 0 to 1 without a gap or an overlap. Throws a ShardStateError naming the
 * missing or duplicated shard (or segment) otherwise. `sources` name the states (file names).
 */
function checkStatesComplete(states, sources = states.map((_, i) => `state ${i + 1}`)) {
    if (states.length === 0)
        throw new merge_error/* ShardStateError */.k('no shard states to merge; expected one state file per shard');
    const scenarios = new Set(states.map((s) => s.scenario));
    if (scenarios.size > 1) {
        throw new merge_error/* ShardStateError */.k(`the shard states are of different scenarios (${[...scenarios].join(', ')}); expected the states of one test`);
    }
    const sequences = new Set(states.map((s) => s.sequence));
    if (sequences.size > 1) {
        throw new merge_error/* ShardStateError */.k(`the shard states come from different segment sequences (${[...sequences].map((s) => JSON.stringify(s)).join(', ')}); expected the shards of one run`);
    }
    // Shard numbers first: the message a user of `--shard I/N` recognises.
    const byIndex = new Map();
    let count;
    for (const [i, state] of states.entries()) {
        if (!state.shard)
            continue;
        if (count !== undefined && state.shard.count !== count) {
            throw new merge_error/* ShardStateError */.k(`${who(state, sources[i])} is a shard of ${state.shard.count} but others are of ${count}; expected the shards of one run`);
        }
        count = state.shard.count;
        const seen = byIndex.get(state.shard.index);
        if (seen !== undefined) {
            throw new merge_error/* ShardStateError */.k(`shard ${state.shard.index} of ${count} appears twice (${sources[seen]} and ${sources[i]}); expected one state file per shard`);
        }
        byIndex.set(state.shard.index, i);
    }
    if (count !== undefined && byIndex.size === states.length) {
        const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
        if (missing.length > 0) {
            throw new merge_error/* ShardStateError */.k(`shard(s) ${missing.join(', ')} of ${count} missing; found ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')}. Did a shard job fail or its artifact expire?`);
        }
    }
    // Segments: together exactly 0 to 1.
    const parts = states
        .map((state, i) => {
        const [from, to] = state.segment.split(':');
        return { i, from: parsePoint(from ?? '', state.segment, sources[i]), to: parsePoint(to ?? '', state.segment, sources[i]) };
    })
        .sort((a, b) => compareFractions(a.from, b.from) || compareFractions(a.to, b.to));
    let cursor = [0, 1];
    let previous;
    for (const part of parts) {
        const order = compareFractions(part.from, cursor);
        if (order < 0) {
            const twice = previous && compareFractions(previous.from, part.from) === 0 && compareFractions(previous.to, part.to) === 0;
            throw new merge_error/* ShardStateError */.k(twice
                ? `segment ${states[part.i].segment} appears twice (${who(states[previous.i], sources[previous.i])} and ${who(states[part.i], sources[part.i])}); expected each segment once`
                : `${who(states[part.i], sources[part.i])} overlaps ${who(states[previous.i], sources[previous.i])}; expected segments of one sequence`);
        }
        if (order > 0) {
            throw new merge_error/* ShardStateError */.k(`segment ${showFraction(cursor)}:${showFraction(part.from)} missing (no state covers it); found ${parts.map((p) => states[p.i].segment).join(', ')}. Did a runner fail or its results not arrive?`);
        }
        cursor = part.to;
        previous = part;
    }
    if (compareFractions(cursor, [1, 1]) !== 0) {
        throw new merge_error/* ShardStateError */.k(`segment ${showFraction(cursor)}:1 missing (no state covers it); found ${parts.map((p) => states[p.i].segment).join(', ')}. Did a runner fail or its results not arrive?`);
    }
}
/**
 * Adds shard states one at a time, so a merge holds one parsed file plus the running sums (series ×
 * buckets), never all files at once. `result()` checks completeness (checkStatesComplete) and
 * returns the state of the whole test (segment `0:1`): counters, passes and fails, histogram
 * buckets and checks add exactly; gauges keep the latest value (the sum for the per-instance `vus`
 * and `vus_max`); a histogram in a finer schema is downscaled to the coarser one.
 */
class StateMerger {
    /** Every state added, without its series (what the completeness check reads). */
    heads = [];
    sources = [];
    series = new Map();
    metrics = {};
    checks = new Map();
    thresholds = {};
    /** Per gauge series, the end of the shard its value came from. */
    gaugeEnd = new Map();
    add(state, source = `state ${this.heads.length + 1}`) {
        this.heads.push({ ...state, series: [] });
        this.sources.push(source);
        const endMs = state.span.endMs;
        for (const s of state.series) {
            const key = (0,shard_state/* seriesKeyOf */.WH)(s.metric, s.tags);
            let seen = this.series.get(key);
            if (!seen) {
                const { histogram, ...rest } = s;
                seen = { ...rest, tags: { ...s.tags }, parts: 0 };
                if (histogram) {
                    seen.total = { ...histogram, count: 0, sum: 0, zeroCount: 0, positive: new state_histogram/* DenseBuckets */.xD(), negative: new state_histogram/* DenseBuckets */.xD() };
                }
                if (s.type === 'counter' || (s.type === 'gauge' && PER_INSTANCE_GAUGES.has(s.metric)))
                    seen.value = 0;
                if (s.type === 'rate') {
                    seen.value = 0;
                    if (s.passes !== undefined)
                        [seen.passes, seen.fails] = [0, 0];
                }
                this.series.set(key, seen);
            }
            else if (seen.type !== s.type) {
                throw new merge_error/* ShardStateError */.k(`metric ${s.metric} is a ${s.type} in ${source} and a ${seen.type} in another shard; were the shards run from different scripts?`);
            }
            seen.parts++;
            if (s.histogram) {
                seen.total ??= { ...s.histogram, count: 0, sum: 0, zeroCount: 0, positive: new state_histogram/* DenseBuckets */.xD(), negative: new state_histogram/* DenseBuckets */.xD() };
                (0,state_histogram/* addInto */.gQ)(seen.total, s.histogram);
            }
            else if (s.type === 'counter')
                seen.value += s.value ?? 0;
            else if (s.type === 'gauge') {
                if (PER_INSTANCE_GAUGES.has(s.metric))
                    seen.value += s.value ?? 0;
                else if (endMs >= (this.gaugeEnd.get(key) ?? -Infinity)) {
                    seen.value = s.value;
                    this.gaugeEnd.set(key, endMs);
                }
            }
            else if (s.type === 'rate') {
                if (seen.passes !== undefined && s.passes !== undefined && s.fails !== undefined) {
                    seen.passes += s.passes;
                    seen.fails += s.fails;
                    seen.value = seen.passes + seen.fails > 0 ? seen.passes / (seen.passes + seen.fails) : 0;
                }
                else {
                    // Fractions without counts: their mean (only per-series detail; per-metric rates come from k6's summaries).
                    delete seen.passes;
                    delete seen.fails;
                    seen.value = (seen.value * (seen.parts - 1) + (s.value ?? 0)) / seen.parts;
                }
            }
        }
        for (const [name, m] of Object.entries(state.metrics)) {
            const seen = this.metrics[name];
            if (!seen) {
                this.metrics[name] = { type: m.type, contains: m.contains, values: { ...m.values }, endMs };
                continue;
            }
            const perInstance = PER_INSTANCE_GAUGES.has(name);
            for (const [stat, value] of Object.entries(m.values)) {
                const before = seen.values[stat];
                if (before === undefined)
                    seen.values[stat] = value;
                else if (perInstance)
                    seen.values[stat] = before + value;
                else if (stat === 'min')
                    seen.values[stat] = Math.min(before, value);
                else if (stat === 'max')
                    seen.values[stat] = Math.max(before, value);
                else if (stat === 'value')
                    seen.values[stat] = endMs >= seen.endMs ? value : before;
                else
                    seen.values[stat] = before + value;
            }
            seen.endMs = Math.max(seen.endMs, endMs);
        }
        for (const check of state.checks) {
            const key = check.path ?? check.name;
            const seen = this.checks.get(key);
            if (seen) {
                seen.passes += check.passes;
                seen.fails += check.fails;
            }
            else
                this.checks.set(key, { ...check });
        }
        for (const [metric, expressions] of Object.entries(state.thresholds)) {
            for (const expression of expressions)
                (this.thresholds[metric] ??= new Set()).add(expression);
        }
    }
    /** The whole test's state; throws a ShardStateError naming a missing or duplicated shard or segment. */
    result() {
        const states = this.heads;
        checkStatesComplete(states, this.sources);
        const versions = new Set(states.map((s) => s.k6Version).filter((v) => v !== undefined));
        const durations = states.map((s) => s.span.durationMs).filter((d) => d !== undefined);
        const series = [];
        for (const { parts: _parts, total, ...s } of this.series.values()) {
            if (!total) {
                series.push(s);
                continue;
            }
            series.push({ ...s, histogram: (0,state_histogram/* histogramOfSum */.zI)(total) });
        }
        return {
            format: shard_state/* SHARD_STATE_FORMAT */.H$,
            version: shard_state/* SHARD_STATE_VERSION */.Kn,
            scenario: states[0].scenario,
            ...(versions.size > 0 ? { k6Version: [...versions].join(', ') } : {}),
            segment: '0:1',
            sequence: states[0].sequence,
            span: {
                startMs: Math.min(...states.map((s) => s.span.startMs)),
                endMs: Math.max(...states.map((s) => s.span.endMs)),
                // Shards run the same schedule: the test lasted as long as its longest shard (CI jobs start apart).
                ...(durations.length > 0 ? { durationMs: Math.max(...durations) } : {}),
            },
            series,
            metrics: Object.fromEntries(Object.entries(this.metrics).map(([name, { endMs: _endMs, ...m }]) => [name, m])),
            checks: [...this.checks.values()],
            thresholds: Object.fromEntries(Object.entries(this.thresholds).map(([m, set]) => [m, [...set]])),
        };
    }
}
/** The states of all shards as the state of the whole test (see StateMerger). */
function mergeStates(states, sources) {
    if (states.length === 0)
        checkStatesComplete(states);
    const merger = new StateMerger();
    for (const [i, state] of states.entries())
        merger.add(state, sources?.[i]);
    return merger.result();
}

;// CONCATENATED MODULE: ./src/shard/state-summary.ts






// ---------------------------------------------------------------------------------------------
// Judging a state
function matches(tags, filter) {
    return !filter || filter.every(([k, v]) => tags[k] === v);
}
/**
 * One metric's summary values from its series (`of`) and k6's own summary of it (`exact`), by
 * type; undefined when the state holds nothing of it.
 */
function metricValues(type, of, exact, parent, durationMs, trendStats, relativeError) {
    const values = {};
    if (type === 'trend') {
        const trend = new histogram/* TrendAccumulator */.il({ relativeError });
        for (const s of of)
            if (s.histogram)
                trend.addBuckets((0,samples_remote_write/* nativeToDistribution */.J8)((0,state_histogram/* nativeHistogramOf */.hk)(s.histogram), s.scale ?? 1));
        if (trend.count === 0)
            return undefined;
        // k6's own min and max are exact; the buckets only bound them.
        if (Number.isFinite(exact?.values.min))
            trend.min = exact.values.min;
        if (Number.isFinite(exact?.values.max))
            trend.max = exact.values.max;
        for (const stat of trendStats)
            values[stat] = trendStat(trend, stat);
        return { values, trend };
    }
    else if (type === 'counter') {
        const count = exact?.values.count ?? (of.length > 0 ? of.reduce((sum, s) => sum + (s.value ?? 0), 0) : undefined);
        if (count === undefined)
            return undefined;
        values.count = count;
        values.rate = durationMs > 0 ? count / (durationMs / 1000) : 0;
    }
    else if (type === 'rate') {
        const counted = of.length > 0 && of.every((s) => s.passes !== undefined && s.fails !== undefined);
        const passes = exact?.values.passes ?? (counted ? of.reduce((sum, s) => sum + s.passes, 0) : undefined);
        const fails = exact?.values.fails ?? (counted ? of.reduce((sum, s) => sum + s.fails, 0) : undefined);
        if (passes !== undefined && fails !== undefined)
            Object.assign(values, { rate: passes + fails > 0 ? passes / (passes + fails) : 0, passes, fails });
        else if (of.length > 0)
            values.rate = of.reduce((sum, s) => sum + (s.value ?? 0), 0) / of.length;
        else
            return undefined;
    }
    else {
        if (exact && Number.isFinite(exact.values.value))
            Object.assign(values, exact.values);
        else if (of.length > 0) {
            const points = of.map((s) => s.value ?? 0);
            values.value = PER_INSTANCE_GAUGES.has(parent) ? points.reduce((a, b) => a + b, 0) : points[points.length - 1];
            values.min = Math.min(...points);
            values.max = Math.max(...points);
        }
        else
            return undefined;
    }
    return { values };
}
/** The state's thresholds evaluated on its summary, as k6 evaluates them on one run. */
function evaluateStateThresholds(state, metrics, trends) {
    const thresholds = [];
    for (const [metric, expressions] of Object.entries(state.thresholds)) {
        for (const text of expressions) {
            const summary = metrics[metric];
            thresholds.push(evaluateThreshold(metric, parseThresholdExpression(text), summary?.type, (aggregation, percentile) => {
                const trend = trends.get(metric);
                if (aggregation === 'p')
                    return trend ? trend.percentile(percentile) : NaN;
                if (trend)
                    return trendStat(trend, aggregation) ?? NaN;
                return summary.values[aggregation] ?? NaN;
            }));
        }
    }
    return thresholds;
}
/**
 * The end-of-test summary of a (merged) state, in k6's shape, with the thresholds evaluated on it
 * as k6 evaluates them on one run. Counter counts, rate passes/fails, gauges and trend min/max come
 * from k6's summaries when the state has them (exact); trend percentiles, count and avg from the
 * summed histograms. `submetrics`: extra names to compute (`http_req_duration{name:login}`).
 */
function summarizeState(state, options = {}) {
    const trendStats = options.trendStats ?? DEFAULT_TREND_STATS;
    validateTrendStats(trendStats);
    const durationMs = state.span.durationMs ?? Math.max(0, state.span.endMs - state.span.startMs);
    const names = new Set([
        ...state.series.map((s) => s.metric),
        ...Object.keys(state.metrics),
        ...Object.keys(state.thresholds),
        ...(options.submetrics ?? []),
    ]);
    const metrics = {};
    const trends = new Map();
    for (const name of names) {
        const parsed = (0,samples_aggregator/* parseSubmetricName */.P3)(name);
        const parent = parsed?.parent ?? name;
        const of = state.series.filter((s) => s.metric === parent && matches(s.tags, parsed?.tags));
        const exact = state.metrics[name];
        const type = of[0]?.type ?? exact?.type ?? state.metrics[parent]?.type;
        const contains = of[0]?.contains ?? exact?.contains ?? state.metrics[parent]?.contains ?? 'default';
        if (!type)
            continue;
        const computed = metricValues(type, of, exact, parent, durationMs, trendStats, options.relativeError);
        if (!computed)
            continue;
        if (computed.trend)
            trends.set(name, computed.trend);
        metrics[name] = { name, type, contains, values: computed.values, typeFrom: 'k6' };
    }
    const thresholds = evaluateStateThresholds(state, metrics, trends);
    return {
        summary: {
            format: 'legacy',
            metrics,
            thresholds,
            checks: state.checks.map((c) => ({ ...c })),
            ...(state.k6Version ? { k6Version: state.k6Version } : {}),
            durationMs,
        },
        trends,
    };
}

;// CONCATENATED MODULE: ./src/shard/state-files.ts
// The I/O around shard state files (src/shard/state.ts): a shard run keeps its remote-write
// receiver's final state next to k6's summary; the merge reads every shard's file, adds them and
// judges the whole test. Raw `--out json` samples remain the path of `--raw-output`.











/**
 * Starts the loopback receiver a shard's k6 pushes to. Undefined when k6's remote-write output is
 * already the user's (then the shard writes raw samples, as with --raw-output).
 */
async function startShardStateRun(input) {
    const taken = (0,metrics_output/* remoteWriteTakenBy */.qK)(input.metricsOutputs, input.k6Args, { ...process.env, ...input.env });
    if (taken) {
        input.log.warning(`k6-gate: shard ${input.shard.index}/${input.shard.count} writes raw samples instead of a state file (${taken})`);
        return undefined;
    }
    const startMs = Date.now();
    // No breakdown or windows: the receiver only keeps the newest push of each series.
    const receiver = await (0,samples_remote_write/* startRemoteWriteAnalysis */.q7)({ log: input.log, aggregator: { breakdown: false } });
    const setup = (0,metrics_output/* liveRemoteWriteSetup */.L9)(receiver.url, input.k6Version, input.env);
    Object.assign(input.env, setup.env);
    return {
        args: setup.args,
        finish: async ({ summaryFile }) => {
            const samples = await receiver.stop();
            const endMs = Date.now();
            const series = receiver.series();
            if (series.length === 0) {
                const why = samples.problem && !samples.problem.includes('pushed no metrics') ? ` (${samples.problem})` : '';
                return { problem: `no state file written: k6 pushed no metrics to the shard's remote-write receiver${why}` };
            }
            let summary;
            try {
                summary = (0,k6_summary/* parseSummary */.W6)(await (0,promises_.readFile)(summaryFile, 'utf8'), external_node_path_default().basename(summaryFile));
            }
            catch (error) {
                // The state still carries every series; only k6's exact extras (checks, thresholds) are missing.
                input.log.warning(`k6-gate: the shard state has no checks or thresholds: ${error.message}`);
            }
            const state = (0,shard_state/* shardStateOf */.F8)({
                series,
                summary,
                scenario: input.scenario,
                shard: input.shard,
                segment: (0,shard/* executionSegment */.Ms)(input.shard),
                sequence: (0,shard/* segmentSequence */.HU)(input.shard.count),
                k6Version: input.k6Version,
                span: { startMs, endMs },
            });
            const file = (0,shard/* shardStateFileName */.lK)(input.scenario, input.shard);
            const text = (0,shard_state/* shardStateText */.Xy)(state);
            try {
                await (0,promises_.writeFile)(external_node_path_default().join(input.resultsDir, file), text);
            }
            catch (error) {
                return { problem: `could not write the shard state ${file}: ${error.message}` };
            }
            input.log.info(`k6-gate: shard state ${file}: ${(0,src_format/* formatCount */.B4)(state.series.length)} series, ${(Buffer.byteLength(text) / 2 ** 10).toFixed(0)} KiB` +
                (samples.problem ? ` (${samples.problem})` : ''));
            return { file, ...(samples.problem ? { problem: samples.problem } : {}) };
        },
    };
}
/** Reads, checks and adds the shards' state files; the summary of the whole test, thresholds evaluated on it. */
async function mergeStateFiles(input) {
    const started = Date.now();
    // One file at a time: the merge holds the running sums and one parsed file, never all of them.
    const merger = new StateMerger();
    const versions = new Set();
    for (const file of input.files) {
        const text = await (0,promises_.readFile)(file, 'utf8').catch((error) => {
            throw new merge_error/* ShardStateError */.k(`cannot read the shard state file ${file}: ${error.message}`, { cause: error });
        });
        const state = await (0,shard_state/* parseShardState */.FQ)(text, file);
        if (state.k6Version)
            versions.add(state.k6Version);
        merger.add(state, file);
    }
    const merged = merger.result();
    const { summary, trends } = summarizeState(merged, { trendStats: input.trendStats, submetrics: input.submetrics });
    if (versions.size > 1)
        input.log?.warning(`k6-gate: the shards of ${merged.scenario} ran different k6 versions (${[...versions].join(', ')})`);
    input.log?.info(`merged ${input.files.length} shard state file(s) (${(0,src_format/* formatCount */.B4)(merged.series.length)} series) in ${(0,src_format/* formatDuration */.a3)(Date.now() - started)}; ` +
        `test duration ${(0,src_format/* formatDuration */.a3)(summary.durationMs ?? 0)}; percentiles interpolated within k6's native-histogram buckets`);
    return { summary, trends, durationMs: summary.durationMs ?? 0 };
}

;// CONCATENATED MODULE: ./src/shard/gate-files.ts
// The gate's two sharded moments: a shard job keeps its summary and log under shard names (every
// shard's files meet in one folder at merge time), and the merge job builds the whole test's
// summary from the shards' state files (state-files.ts), or from their raw samples when the shards
// ran with --raw-output. Judging the merged summary is the gate's, as for any run.








/**
 * Copies a shard run's summary and log under the shard's names; returns the names that were written.
 * The summary copy notes which k6 measured it: the merge job installs none and records this version.
 */
async function keepShardFiles(input) {
    const name = (0,k6_files/* safeFileName */.T)(input.scenario);
    const shardSummary = (0,shard/* shardSummaryFileName */.mk)(name, input.shard);
    const shardLog = (0,shard/* shardLogFileName */.sq)(name, input.shard);
    const kept = {};
    await (0,promises_.readFile)(input.files.summary, 'utf8')
        .then((text) => (0,promises_.writeFile)(external_node_path_default().join(input.resultsDir, shardSummary), (0,k6_summary/* noteK6Version */.a)(text, input.k6Version)))
        .then(() => (kept.shardSummary = shardSummary), () => undefined);
    // …and so does the log: every shard's log reaches the merge job, not only the last one's.
    await (0,promises_.copyFile)(input.files.log, external_node_path_default().join(input.resultsDir, shardLog)).then(() => (kept.log = shardLog), () => undefined);
    return kept;
}
/**
 * Merge mode for one scenario: the summary of the whole sharded test from the shards' state files
 * under `dir` (or, when there are none, their raw samples), written into `resultsDir`, with the k6
 * version the shards noted.
 */
async function mergeScenarioForGate(input) {
    const stateFiles = await findShardStateFiles(input.dir, (0,k6_files/* safeFileName */.T)(input.scenario));
    if (stateFiles.length > 0) {
        input.log.info(`merging ${stateFiles.length} shard state file(s) of ${input.scenario} from ${input.dir}`);
        const merged = await mergeStateFiles({
            files: stateFiles,
            trendStats: input.trendStats,
            submetrics: input.watch.filter((name) => name.includes('{')),
            log: input.log,
        });
        const summaryFile = (0,k6_files/* k6FileNames */.q)(input.scenario).summary;
        await (0,promises_.writeFile)(external_node_path_default().join(input.resultsDir, summaryFile), (0,k6_summary/* legacySummaryExportText */.jE)(merged.summary));
        return { summary: merged.summary, summaryFile, trends: merged.trends };
    }
    const merged = await mergeScenarioShards({
        dir: input.dir,
        scenario: (0,k6_files/* safeFileName */.T)(input.scenario),
        resultsDir: input.resultsDir,
        summaryFile: (0,k6_files/* k6FileNames */.q)(input.scenario).summary,
        watch: input.watch,
        trendStats: input.trendStats,
        log: input.log,
    });
    const k6Version = merged.summary.k6Version ?? (await shardK6Version(input.dir, input.scenario, input.log));
    return { summary: { ...merged.summary, k6Version }, summaryFile: merged.summaryFile, trends: merged.trends };
}
/** The k6 version the shards noted in their summaries (see noteK6Version); undefined when none did. */
async function shardK6Version(dir, scenario, log) {
    const files = await findShardSummaryFiles(dir, (0,k6_files/* safeFileName */.T)(scenario));
    const versions = new Set();
    for (const file of files) {
        const version = await (0,promises_.readFile)(file, 'utf8').then((text) => (0,k6_summary/* parseSummary */.W6)(text, external_node_path_default().basename(file)).k6Version, () => undefined);
        if (version)
            versions.add(version);
    }
    if (versions.size > 1)
        log.warning(`k6-gate: the shards of ${scenario} ran different k6 versions (${[...versions].join(', ')})`);
    return versions.size > 0 ? [...versions].join(', ') : undefined;
}

;// CONCATENATED MODULE: ./src/verdict/samples.ts
// A run's own samples → the sampling bands of its watched percentiles. The samples come from the one
// sample aggregator (src/samples/): live while k6 runs (the gate's live analysis), or read from a
// finished raw file (`--out json=…[.gz]`, the noise lab's replay) through the same reader.



/** The metrics (and submetrics) whose percentiles the rules watch: what the aggregator must keep apart. */
function watchedPercentileMetrics(watch) {
    return [...new Set(watch.filter((r) => (0,sampling/* percentOfStat */.nb)(r.stat) !== undefined).map((r) => r.metric))];
}
/** The trend series an aggregator holds for these metrics. */
function trendsOf(aggregator, metrics) {
    const out = new Map();
    for (const metric of metrics) {
        const trend = aggregator.trend(metric);
        if (trend)
            out.set(metric, trend);
    }
    return out;
}
/** The trend series of one finished raw sample file, for the watched metrics (submetrics included). */
async function collectRunSamples(rawFile, watchedMetrics) {
    const samples = await readRunSamples(rawFile, [...watchedMetrics]);
    return trendsOf(samples.aggregator, watchedMetrics);
}
/** Sampling bands of every watched percentile whose samples are known (pure). */
function samplingBands(samples, watch, confidence = compare/* SAMPLING_CONFIDENCE */.N_) {
    const out = {};
    for (const rule of watch) {
        const source = samples.get(rule.metric);
        const percent = (0,sampling/* percentOfStat */.nb)(rule.stat);
        if (!source || percent === undefined || source.count === 0)
            continue;
        const interval = (0,sampling/* percentileInterval */.J9)(source, percent, confidence);
        (out[rule.metric] ??= {})[rule.stat] = { n: interval.n, low: interval.low, high: interval.high, confidence };
    }
    return out;
}

;// CONCATENATED MODULE: ./src/baseline/watch-typos.ts
/** Edit distance (insertions, deletions, substitutions), for "did you mean" hints. */
function editDistance(a, b) {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
/** The known name nearest to `name`, or undefined when none is known. */
function closestName(name, known) {
    let best;
    let bestDistance = Infinity;
    for (const candidate of known) {
        const distance = editDistance(name, candidate);
        if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}
/**
 * Watched metrics of the config that neither this run nor any baseline history has (a typo such as
 * `http_req_durration`): a config error naming the closest known metric, rather than a
 * "regression" of a metric that never existed. Submetrics are judged by their base metric, since
 * k6 exports a submetric only when a threshold names it.
 */
function unknownWatchedMetrics(rules, known) {
    const bases = new Set([...known].map((name) => name.replace(/\{.*$/, '')));
    const problems = [];
    for (const rule of rules.watch) {
        if (rule.origin === 'default')
            continue;
        const base = rule.metric.replace(/\{.*$/, '');
        if (bases.has(base))
            continue;
        const closest = closestName(base, bases);
        problems.push(`watched metric ${JSON.stringify(`${rule.metric}:${rule.stat}`)} is not a metric of this run nor of the baseline; expected a k6 metric name${closest ? ` such as ${JSON.stringify(closest)} (the closest known one)` : ''}`);
    }
    return problems;
}
/**
 * Watched stats that neither this run nor the baseline has for a metric one of them has (`http_reqs:p(95)`:
 * a counter has no percentiles): a config error listing the metric's stats, rather than a "missing"
 * regression. Percentiles the rules name are asked of k6 (summaryTrendStats), so a trend has them.
 */
function unknownWatchedStats(rules, known) {
    const problems = [];
    for (const rule of rules.watch) {
        const stats = known.get(rule.metric);
        if (rule.origin === 'default' || !stats || stats.has(rule.stat))
            continue;
        problems.push(`watched stat ${JSON.stringify(`${rule.metric}:${rule.stat}`)} is not a stat of this run nor of the baseline; expected one of ${[...stats].sort().join(', ')}`);
    }
    return problems;
}

// EXTERNAL MODULE: ./src/baseline/trend.ts
var trend = __nccwpck_require__(4136);
;// CONCATENATED MODULE: ./src/report/history.ts

/**
 * Each compared stat's accepted values, oldest first, then this run's. The values are the stat's
 * own history (what its verdict's "n" counts, cut to `historyLimit`), or the baseline's long trend
 * when that holds more runs: the picture never claims more history than it shows, nor shows less
 * than the verdict used.
 */
function reportTrend(entry, metrics, historyLimit) {
    if (!entry)
        return undefined;
    const out = metrics.flatMap((m) => {
        const history = (entry.metrics[m.metric]?.[m.stat]?.history ?? []).slice(-historyLimit).map((h) => h.value);
        const long = entry.trend ? (0,trend/* trendSeries */.h)(entry.trend, `${m.metric} ${m.stat}`).map((p) => p.value) : [];
        const values = (long.length > history.length ? long : history).filter(Number.isFinite);
        if (values.length === 0)
            return [];
        if (m.current !== undefined && Number.isFinite(m.current))
            values.push(m.current);
        return [
            { metric: m.metric, stat: m.stat, values, accepted: values.length - (m.current !== undefined && Number.isFinite(m.current) ? 1 : 0) },
        ];
    });
    return out.length > 0 ? out : undefined;
}

;// CONCATENATED MODULE: ./src/gate/judge.ts
// What a scenario's summary means against the baseline: every watched value compared (with this
// run's own sampling bands), the watch list's configuration problems, the report's trend lines, and
// the scenario's outcome by the one policy (verdict/outcome.ts). One k6 run and a merged sharded
// test are judged here alike.






/**
 * Fills `scenario`'s thresholds and comparisons from `summary`; `trends` (the run's samples of the
 * watched metrics) give the sampling bands. Returns the configuration problems only the run reveals.
 */
function compareSummary(scenario, summary, judging, trends) {
    const { rules, baseline } = judging;
    scenario.summary = summary;
    scenario.thresholds = summary.thresholds;
    const sampling = trends ? samplingBands(trends, rules.watch) : undefined;
    scenario.metrics = (0,compare/* compareToBaseline */.WD)({ key: scenario.key, summary, baseline, rules, sampling });
    return watchProblems(rules, summary, baseline);
}
/** The scenario's outcome: `error` with the problems joined, else the policy over what it measured. */
function settleScenario(scenario, problems, judging, base = 'passed') {
    if (problems.length > 0) {
        scenario.outcome = 'error';
        scenario.error = problems.join('; ');
    }
    else {
        scenario.outcome = scenarioOutcome(scenario, base);
    }
    scenario.trend = reportTrend(judging.baseline?.scenarios[scenario.key], scenario.metrics, judging.rules.historyLimit);
}
/** Config errors of the watch list that only the run can reveal (a metric or stat nobody has). */
function watchProblems(rules, summary, baseline) {
    const known = new Map();
    const add = (metric, stats) => {
        const set = known.get(metric) ?? known.set(metric, new Set()).get(metric);
        for (const stat of stats)
            set.add(stat);
    };
    for (const [metric, m] of Object.entries(summary.metrics))
        add(metric, Object.keys(m.values));
    for (const entry of Object.values(baseline?.scenarios ?? {}))
        for (const [metric, stats] of Object.entries(entry.metrics))
            add(metric, Object.keys(stats));
    return [...unknownWatchedMetrics(rules, known.keys()), ...unknownWatchedStats(rules, known)].map((problem) => `config error: ${problem}`);
}
/** The trend stats k6 is asked for: its defaults and every percentile the rules watch. */
function trendStatsFor(rules) {
    return (0,k6_summary/* summaryTrendStats */.JC)(rules.watch.map((rule) => rule.stat));
}

;// CONCATENATED MODULE: ./src/gate/scenario-run.ts
// Step 4, one measurement: one k6 run of one scenario (with live analysis around it, or as one shard
// of a sharded test), or, in merge mode, the shards' results merged into one summary; then judged.



















/** The variables k6 gets for this scenario: the outputs' settings, the user's `env`, BASE_URL and PROFILE. */
function k6Variables(config, k6) {
    const env = (0,metrics_output/* metricsOutputEnv */.Um)(config.metricsOutputs ?? [], k6.version, config.env);
    if (config.target)
        env.BASE_URL = config.target;
    if (config.profile)
        env.PROFILE = config.profile;
    return env;
}
/**
 * One k6 run of the scenario with `config` (A/B rounds change the target). Reruns and A/B rounds
 * label their files (`<scenario>.<label>`): nothing measured is lost. A shard is judged only after
 * the merge, from the state files (or, with --raw-output, the raw samples) of all shards; it runs
 * without live analysis.
 */
async function runScenarioOnce(step, k6, config, label) {
    const { spec, judging } = step;
    const { log, cancellation, result } = step.run;
    const fileName = label ? `${spec.name}.${label}` : spec.name;
    const names = (0,k6_files/* k6FileNames */.q)(fileName);
    const scenario = newScenarioResult(config, spec);
    const env = k6Variables(config, k6);
    const metricsArgs = result.testId
        ? (0,metrics_output/* metricsOutputArgs */.sI)(config.metricsOutputs ?? [], { ...runLabels(config, result.testId), gate_scenario: spec.name })
        : [];
    const analysisOptions = config.analysis ?? { enabled: true, top: 10 };
    const watched = watchedPercentileMetrics(judging.rules.watch);
    const analysis = !config.shard && analysisOptions.enabled ? await startAnalysis(step, k6, config, env, fileName, watched) : undefined;
    const shardState = config.shard && !config.rawOutput ? await startShardState(step, k6, config, env) : undefined;
    const run = await (0,k6_run/* runK6 */.Bt)({
        k6Path: k6.path,
        script: spec.script,
        scenario: fileName,
        resultsDir: config.resultsDir,
        env,
        args: [
            ...metricsArgs,
            ...(analysis?.args ?? []),
            ...(shardState?.args ?? []),
            ...config.k6Args,
            ...(config.shard ? (0,shard/* shardArgs */.M2)(config.shard.index, config.shard.count) : []),
        ],
        trendStats: trendStatsFor(judging.rules),
        timeoutMs: config.timeoutMs,
        htmlReport: config.htmlReport,
        rawOutput: config.shard
            ? shardState
                ? undefined
                : (0,shard/* shardRawFileName */.mj)((0,k6_files/* safeFileName */.T)(spec.name), config.shard)
            : config.rawOutput
                ? `k6-${(0,k6_files/* safeFileName */.T)(fileName)}.json.gz`
                : undefined,
        liveOutput: analysis?.liveOutput,
        onSpawn: (pid) => analysis?.onSpawn(pid),
        log,
        secrets: config.secrets,
        cwd: config.workspace,
        cancellation,
    });
    const measured = await analysis?.stop();
    scenario.executorModel = measured?.executorModel;
    const state = await shardState?.finish({ summaryFile: run.files.summary });
    if (state?.file)
        scenario.files.shardState = state.file;
    await noteK6Run(scenario, run, names, step, k6, config);
    await judgeK6Run(scenario, run, names.summary, step, measured, watched, state?.file ? undefined : state?.problem);
    const findings = measured
        ? runFindings(measured, {
            summary: scenario.summary,
            k6Log: await (0,promises_.readFile)(run.files.log, 'utf8').catch(() => ''),
            top: analysisOptions.top,
            baseline: judging.baseline?.scenarios[scenario.key],
        })
        : undefined;
    if (findings) {
        scenario.analysis = findings;
        for (const warning of findings.loadGenerator?.warnings ?? [])
            log.warning(`k6-gate: ${spec.name}: ${warning}`);
        const untrustworthy = findings.loadGenerator?.untrustworthy ?? [];
        // A load generator unfit to measure: whatever the numbers say, they cannot say "passed".
        if (untrustworthy.length > 0 && scenario.outcome !== 'error') {
            markInconclusive(scenario, `the load generator was unhealthy: ${untrustworthy.join('; ')}`);
            log.warning(`k6-gate: ${spec.name}: inconclusive: ${scenario.inconclusive}`);
        }
    }
    return scenario;
}
/** A shard's state receiver (shard/state-files.ts); undefined when the shard writes raw samples instead. */
function startShardState(step, k6, config, env) {
    return startShardStateRun({
        scenario: (0,k6_files/* safeFileName */.T)(step.spec.name),
        shard: config.shard,
        resultsDir: config.resultsDir,
        k6Version: k6.version,
        metricsOutputs: config.metricsOutputs,
        k6Args: config.k6Args,
        env,
        log: step.run.log,
    });
}
/** Live analysis around the k6 run (samples/run-analysis.ts), with `k6 inspect` in k6's environment. */
function startAnalysis(step, k6, config, env, fileName, watched) {
    return startRunAnalysis({
        resultsDir: config.resultsDir,
        fileName: (0,k6_files/* safeFileName */.T)(fileName),
        k6Version: k6.version,
        metricsOutputs: config.metricsOutputs,
        k6Args: config.k6Args,
        env,
        watched,
        // The same allow-listed environment as `k6 run`: the script's init code runs here too.
        inspect: () => (0,inspect/* inspectExecutorModel */.nK)({
            k6Path: k6.path,
            script: step.spec.script,
            env: (0,environment/* k6Environment */.H)(process.env, { ...env, K6_NO_USAGE_REPORT: 'true' }),
            cwd: config.workspace,
        }),
        log: step.run.log,
    });
}
/** k6's exit, wall time and files on the scenario (a shard's summary and log under shard names). */
async function noteK6Run(scenario, run, names, step, k6, config) {
    scenario.exitCode = run.exitCode ?? undefined;
    scenario.exitMeaning = run.meaning;
    scenario.k6WallMs = run.wallMs;
    scenario.files.log = names.log;
    scenario.exception = await readScriptException(run.files.log, run.exitCode);
    if (run.files.html)
        scenario.files.html = names.html;
    if (run.files.raw)
        scenario.files.raw = external_node_path_default().basename(run.files.raw);
    step.run.log.info(`k6-gate: k6 finished in ${(0,src_format/* formatDuration */.a3)(run.wallMs)}: exit ${run.exitCode ?? run.signal ?? 'none'} (${run.meaning})`);
    if (!config.shard)
        return;
    const kept = await keepShardFiles({
        scenario: step.spec.name,
        shard: config.shard,
        resultsDir: config.resultsDir,
        files: run.files,
        k6Version: k6.version,
    });
    if (kept.shardSummary)
        scenario.files.shardSummary = kept.shardSummary;
    if (kept.log)
        scenario.files.log = kept.log;
}
/** Reads k6's summary and judges it; a shard's own thresholds and numbers wait for the merge. */
async function judgeK6Run(scenario, run, summaryName, step, measured, watched, stateProblem) {
    const shard = step.run.config.shard;
    const problems = [];
    // A shard without its state file would be missing from the merge: fail it here, where the cause is known.
    if (stateProblem && run.outcome !== 'error')
        problems.push(stateProblem);
    if (run.outcome === 'error')
        problems.push(run.spawnError ?? `k6 exit ${run.exitCode ?? run.signal}: ${run.meaning}`);
    const text = await (0,promises_.readFile)(run.files.summary, 'utf8').catch(() => undefined);
    let summary;
    try {
        if (text !== undefined)
            summary = (0,k6_summary/* parseSummary */.W6)(text, summaryName);
    }
    catch (error) {
        problems.push((await fullDisk(step.run.config.resultsDir, run.files.summary, summaryName)) ?? error.message);
    }
    if (text === undefined && !run.spawnError)
        problems.push((await fullDisk(step.run.config.resultsDir, run.files.summary, summaryName)) ?? `k6 wrote no summary (${summaryName})`);
    if (summary) {
        scenario.files.summary = summaryName;
        const trends = measured?.samples ? trendsOf(measured.samples.aggregator, watched) : undefined;
        try {
            problems.push(...compareSummary(scenario, summary, step.judging, trends));
        }
        catch (error) {
            problems.push(error.message);
        }
    }
    if (shard && problems.length === 0) {
        scenario.metrics = [];
        scenario.thresholds = [];
    }
    settleScenario(scenario, problems, step.judging, shard && run.outcome === 'thresholds-failed' ? 'passed' : run.outcome);
}
/**
 * Why k6's summary is missing, empty or cut short when the results dir's disk is full; the partial
 * file is removed (nothing half-written is left to be read as a result).
 */
async function fullDisk(dir, file, name) {
    const disk = await (0,promises_.statfs)(dir).catch(() => undefined);
    const free = disk ? disk.bavail * disk.bsize : Infinity;
    if (free >= FULL_DISK_BYTES)
        return undefined;
    await (0,promises_.rm)(file, { force: true }).catch(() => undefined);
    return `could not write ${name}: the disk of ${dir} is full (ENOSPC, ${free} bytes free)`;
}
/** Less free space than this after a run counts as a full disk (k6's summary is tens of KiB). */
const FULL_DISK_BYTES = 64 * 1024;
/** Merge mode: the summary of the whole sharded test from the shards' raw samples, judged like a run. */
async function mergeScenario(step) {
    const { config, log } = step.run;
    const { spec, judging } = step;
    const scenario = newScenarioResult(config, spec);
    // Found before the merge (the collector: a runner missing or duplicated): the states stay on disk.
    const problems = config.merge.problems ?? [];
    if (problems.length > 0) {
        settleScenario(scenario, problems, judging);
        scenario.error = `the runners' results cannot be gated: ${scenario.error}`;
        log.error(scenario.error);
        return scenario;
    }
    try {
        const merged = await mergeScenarioForGate({
            dir: config.merge.dir,
            scenario: spec.name,
            resultsDir: config.resultsDir,
            watch: [...judging.rules.watch.map((r) => r.metric), ...Object.keys(judging.baseline?.scenarios[scenario.key]?.metrics ?? {})],
            trendStats: trendStatsFor(judging.rules),
            log,
        });
        scenario.files.summary = merged.summaryFile;
        // The merged samples of all shards give the sampling bands, as a single run's would.
        settleScenario(scenario, compareSummary(scenario, merged.summary, judging, merged.trends), judging);
    }
    catch (error) {
        settleScenario(scenario, [error.message], judging);
    }
    if (scenario.outcome === 'error') {
        scenario.error = `merge of the shard results failed: ${scenario.error}`;
        log.error(scenario.error);
    }
    return scenario;
}

;// CONCATENATED MODULE: ./src/gate/duet.ts
// Step 4, A/B duet: the scenario against baseline-target (A) and target (B) at the same time
// (verdict/duet/run.ts), k6 given exactly what one run of the scenario gets (its variables, the
// user's k6 arguments, secrets, the workspace as working directory); B's k6 thresholds read from
// B's runs; the result mapped for the report (verdict/duet/scenario-result.ts); the windows kept
// in a file the noise lab can replay. A duet's numbers are never a baseline (gate/scenarios.ts).














/** The scenario measured as a duet of baseline-target (A) and target (B). */
async function runDuetScenario(step, k6) {
    const { config, log, cancellation, result } = step.run;
    const { spec, judging } = step;
    const scenario = newScenarioResult(config, spec);
    const { stats, left } = duetStatsOf(judging.rules.watch);
    if (left.length > 0) {
        const warning = `${spec.name}: a duet compares trend statistics and http_req_failed:rate only; not compared: ${left.join(', ')}`;
        result.warnings.push(warning);
        log.warning(`k6-gate: ${warning}`);
    }
    if (stats.length === 0) {
        return { ...scenario, outcome: 'error', error: `duet: no watched statistic a duet can compare (watched: ${left.join(', ')})` };
    }
    if (config.metricsOutputs?.length)
        log.warning('k6-gate: metrics-output is not sent during an A/B duet (its k6 pushes to k6-gate)');
    const options = { ...decision/* DEFAULT_DUET_OPTIONS */.Wc, minEffect: config.abMinEffect ?? decision/* DEFAULT_DUET_OPTIONS */.Wc.minEffect };
    const blockMs = run/* DUET_BLOCK_MS */.Mk;
    const maxDurationMs = config.maxDurationMs ?? run/* DUET_MAX_DURATION_MS */.gl;
    let duet;
    try {
        duet = await (0,run/* runDuet */.OU)({
            k6Path: k6.path,
            k6Version: k6.version,
            script: spec.script,
            scenario: spec.name,
            resultsDir: config.resultsDir,
            targets: { A: config.baselineTarget, B: config.target },
            health: { A: baselineHealthUrl(config) ?? config.baselineTarget, B: config.healthUrl ?? config.target },
            preflightTimeoutMs: config.preflightTimeoutMs,
            // The run's own variables, not its metrics outputs: the duet's k6 push to k6-gate's receiver.
            env: k6Variables({ ...config, metricsOutputs: [] }, k6),
            args: config.k6Args,
            secrets: config.secrets,
            cwd: config.workspace,
            log,
            cancellation,
            blockMs,
            maxDurationMs,
            stats,
            options,
        });
    }
    catch (error) {
        if (!(error instanceof errors/* ExpectedError */.Dh))
            throw error;
        return { ...scenario, outcome: 'error', error: `duet: ${error.message}` };
    }
    const b = await readRunsOfB(duet, config.resultsDir, stats);
    const files = {};
    const windowsDir = await writeDuetWindows(duet, config.resultsDir, scenario.key, { blockMs, maxDurationMs }).catch((error) => {
        log.warning(`k6-gate: the duet's windows could not be written: ${error.message}`);
        return undefined;
    });
    if (windowsDir)
        files.duetWindows = windowsDir;
    const lastB = duet.runs.filter((r) => r.side === 'B').at(-1)?.result;
    if (lastB)
        files.log = external_node_path_default().basename(lastB.files.log);
    const mapped = duetScenarioResult({
        scenario,
        duet,
        rules: judging.rules.watch,
        timeMetrics: b.timeMetrics,
        options,
        blockMs,
        maxDurationMs,
        thresholds: b.thresholds,
        thresholdsCrossed: b.crossed,
        aa: sameUrl(config.target, config.baselineTarget),
        files,
    });
    log.info(`k6-gate: ${mapped.verdictNote}`);
    return mapped;
}
function sameUrl(a, b) {
    const norm = (u) => new URL(u).toString().replace(/\/+$/, '');
    return norm(a) === norm(b);
}
/**
 * What B's runs say: k6's thresholds over all of them, and which trends are times. Each half is
 * a whole k6 run against B in which k6 evaluates the script's thresholds itself; a threshold is a
 * limit every run must keep, so one crossed in any of B's runs is crossed (a single run crossing
 * it fails too), and it holds only when it held in all. A's runs measure the base version: its
 * crossings do not judge the candidate. Both sides ran beside another k6 on the same machine, so
 * B's absolute numbers carry that load.
 */
async function readRunsOfB(duet, resultsDir, stats) {
    const byKey = new Map();
    // A trend's unit is k6's word in B's summary, else what its name says (metric-kind.ts).
    const timeMetrics = new Set(stats.filter((st) => (0,metric_kind/* guessContains */.V9)(st.metric, 'trend') === 'time').map((st) => st.metric));
    let crossed = false;
    for (const { side, result } of duet.runs) {
        if (side !== 'B')
            continue;
        if (result.outcome === 'thresholds-failed')
            crossed = true;
        const text = await (0,promises_.readFile)(result.files.summary, 'utf8').catch(() => undefined);
        if (text === undefined)
            continue;
        let summary;
        try {
            summary = (0,k6_summary/* parseSummary */.W6)(text, external_node_path_default().relative(resultsDir, result.files.summary));
        }
        catch {
            continue;
        }
        for (const [name, m] of Object.entries(summary.metrics))
            if (m.contains === 'time')
                timeMetrics.add(name);
        for (const t of summary.thresholds) {
            const key = `${t.metric} ${t.expression}`;
            const seen = byKey.get(key);
            byKey.set(key, { ...t, ok: (seen?.ok ?? true) && t.ok });
        }
    }
    return { thresholds: [...byKey.values()], crossed, timeMetrics };
}
// SideWindow holds Maps (the trend histograms and their buckets); JSON needs arrays.
const encodeWindow = (w) => ({
    ...w,
    trends: [...w.trends].map(([metric, h]) => [metric, { ...h, positive: [...h.positive], negative: [...h.negative] }]),
});
/**
 * The duet's windows as the noise lab's replay reads a recording (bench/duet.mjs, `--duet-replay
 * DIR`): DIR/index.json (`kind: duet`, the block and max-duration, one decision) and the windows of
 * both sides gzipped. The shift of a real run is unknown: `null`. Returns DIR relative to the results dir.
 */
async function writeDuetWindows(duet, resultsDir, key, settings) {
    const dirName = `duet-windows-${(0,k6_files/* safeFileName */.T)(key)}`;
    const dir = external_node_path_default().join(resultsDir, dirName);
    await (0,promises_.mkdir)(dir, { recursive: true });
    const file = 'windows.json.gz';
    const windows = { A: duet.windows.A.map(encodeWindow), B: duet.windows.B.map(encodeWindow) };
    await (0,promises_.writeFile)(external_node_path_default().join(dir, file), await (0,external_node_util_.promisify)(external_node_zlib_.gzip)(JSON.stringify(windows)));
    const index = {
        kind: 'duet',
        settings,
        decisions: [
            {
                profile: key,
                shift: null,
                file,
                outcome: duet.outcome,
                reason: duet.reason,
                k6Seconds: duet.k6Seconds,
                windows: Math.min(duet.windows.A.length, duet.windows.B.length),
            },
        ],
    };
    await (0,promises_.writeFile)(external_node_path_default().join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    return dirName;
}

;// CONCATENATED MODULE: ./src/gate/scenarios.ts
// Step 4: every scenario in turn, each by its strategy: merge mode (the shards' results), one shard,
// A/B against `baseline-target` (a duet, gate/duet.ts, or ABBA rounds), or one run with
// confirmation reruns. A stop request skips the scenarios not started yet. Returns the runs the
// baseline may learn from.









/** Runs (or merges) every scenario into `run.result.scenarios`. */
async function runScenarios(run, k6, judging) {
    const { config, log, cancellation, result } = run;
    const runs = [];
    for (const [index, spec] of config.scenarios.entries()) {
        if (cancellation.requested) {
            const error = `not run: k6-gate received ${cancellation.signal} before this scenario started`;
            result.scenarios.push({ ...newScenarioResult(config, spec), outcome: 'error', error });
            continue;
        }
        // Reruns and A/B rounds repeat the same load-generator warning: it is said once.
        const step = { run: { ...run, log: (0,src_log/* sayingWarningsOnce */.OE)(log) }, spec, judging };
        const scenario = await log.group(scenarioTitle(config, spec, index), () => measureScenario(step, k6));
        result.scenarios.push(scenario);
        if (scenario.summary && mayRecord(config))
            runs.push(runToRecord(run, spec, scenario, k6, judging));
    }
    if ((0,src_config/* isDuet */.Jj)(config) && config.updateBaseline !== 'never') {
        const why = 'baseline not updated: an A/B duet measures A and B side by side, and those numbers are no baseline for runs alone';
        result.warnings.push(why);
        log.info(`k6-gate: ${why}`);
    }
    return runs;
}
/**
 * Whether a scenario's numbers may teach the baseline at all: a shard's are recorded after the
 * merge, never alone; a duet's were measured with a second k6 beside them on the same machine, so
 * they are no reference for runs alone (its result carries no summary). ABBA rounds run alone: the
 * last B round's summary is recorded (verdict/ab.ts).
 */
function mayRecord(config) {
    return !config.shard && !(0,src_config/* isDuet */.Jj)(config);
}
function scenarioTitle(config, spec, index) {
    const profile = config.profile ? ` (profile ${config.profile})` : '';
    const target = config.target ? ` against ${config.target}` : '';
    return `k6-gate: [${index + 1}/${config.scenarios.length}] ${spec.name}${profile}${target}`;
}
/** The scenario's verdict by the strategy the config asks for. */
function measureScenario(step, k6) {
    const { config, log } = step.run;
    if (config.merge)
        return mergeScenario(step);
    const once = (runConfig, label) => runScenarioOnce(step, k6, runConfig, label);
    if (config.shard)
        return once(config);
    if ((0,src_config/* isDuet */.Jj)(config))
        return runDuetScenario(step, k6);
    if (config.baselineTarget) {
        const baselineTarget = config.baselineTarget;
        return runAB((side, pair) => once({ ...config, target: side === 'A' ? baselineTarget : config.target }, `ab-${side}${pair}`), (row) => noiseFloorOfRow(row, step.judging), log);
    }
    return runWithConfirmation((attempt) => once(config, attempt > 1 ? `run-${attempt}` : undefined), config.confirm ?? DEFAULT_CONFIRM, log);
}
/** The noise floor the rules give a compared row (A/B differences smaller than it are no change). */
function noiseFloorOfRow(row, { rules }) {
    const rule = rules.watch.find((r) => r.metric === row.metric && r.stat === row.stat) ?? { metric: row.metric, stat: row.stat };
    return (0,compare/* noiseFloorFor */.WY)(rule, row.unit, rules);
}
/** The run as the baseline would record it, after warning about what makes it a poor reference. */
function runToRecord(run, spec, scenario, k6, judging) {
    const { config, log, result } = run;
    const summary = scenario.summary;
    for (const warning of (0,update/* runWarnings */.NH)(scenario.key, summary, judging.baseline, judging.rules)) {
        result.warnings.push(warning);
        log.warning(`k6-gate: ${warning}`);
    }
    const record = {
        key: scenario.key,
        scenario: spec.name,
        profile: config.profile,
        environment: config.environment,
        summary,
        // Merged shards: k6 ran in the shard jobs; their summary may say which k6, else the pinned one.
        k6Version: k6?.version ?? summary.k6Version ?? config.k6.version,
        commit: config.git.commit,
        ref: config.git.ref,
        date: result.generatedAt,
        endpoints: scenario.analysis?.endpoints,
        executorModel: scenario.executorModel,
    };
    return {
        run: record,
        problems: (0,update/* recordProblems */.OG)({ summary, exitCode: scenario.exitCode, limits: judging.rules.record }),
        inconclusive: scenario.inconclusive,
    };
}

;// CONCATENATED MODULE: ./src/gate/gate.ts
// The one orchestration. Every entry (action, CLI, GitLab job, demo) calls runGate; platforms only
// publish its result. Read runSteps top to bottom: each line is one step, each step a module of
// this folder with one concern.
//
// Run problems never throw out of runGate: a step that cannot go on throws `GateStop`, which becomes
// the `error` outcome with the cause, after whatever was measured has been written to the results dir.










// What entries need besides runGate: the exit status of a result.


/** Runs the whole gate. Never throws for run problems; see the module comment. */
async function runGate(config, log, options = {}) {
    const cancellation = options.cancellation ?? new cancel/* Cancellation */.mT();
    // While the gate runs, a stop request is handled here (gracefully) rather than by exiting.
    const stopListening = cancellation.onRequest(() => undefined);
    const run = { config, log, cancellation, result: emptyResult(config) };
    for (const secret of config.secrets)
        log.addSecret(secret);
    // The health checks (none in merge mode, which needs neither k6 nor the target) run while the
    // results dir, rules and baseline are read and k6 is found or installed; the CLI starts the target's earlier.
    const preflight = startTargetChecks(config, log, options.preflight);
    const held = [];
    try {
        return await runSteps(run, preflight, held);
    }
    finally {
        stopListening();
        for (const lock of held)
            await lock.release();
    }
}
async function runSteps(run, preflight, held) {
    try {
        held.push(await prepareResultsDir(run)); // 1. results dir: created, probed, this run's alone
        const judging = await readRulesAndBaseline(run); // 2. rules and baseline, key typos warned
        const k6 = await readyK6(run); // 3. k6 found or installed…
        await awaitHealthyTarget(run, preflight); //    …and the target healthy
        const runs = await runScenarios(run, k6, judging); // 4. every scenario measured and judged
        decideGate(run.result); // 5. outcome, counts, and whether fail-on fails the job
        noteCancellation(run);
        await recordBaseline(run, runs, judging); // 6. the baseline learns, when allowed
    }
    catch (error) {
        if (!(error instanceof GateStop))
            throw error;
        await preflight?.abandon();
        markError(run, error.message);
        if (!error.writeResults)
            return run.result;
    }
    await writeResultFiles(run); // 7. comparison.json, report.md, junit.xml, load-performance.json
    await publishAndNotify(run); // 8. metrics push and notifications
    logVerdict(run);
    return run.result;
}
/** A stop during the scenarios: what was measured is kept and marked partial. */
function noteCancellation(run) {
    const { cancellation, result } = run;
    if (!cancellation.requested)
        return;
    result.cancelled = cancellation.signal;
    result.warnings.push(`the run was cancelled (k6-gate received ${cancellation.signal}): the numbers are partial`);
}


/***/ }),

/***/ 6803:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Vs: () => (/* binding */ retryAfterMs),
/* harmony export */   wS: () => (/* binding */ createPatientFetch)
/* harmony export */ });
/* unused harmony exports DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_TOTAL_BUDGET_MS, HttpDeadlineError, rateLimitWaitMs */
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6264);
// The one way k6-gate's API clients talk HTTP: every attempt has a deadline, retries (network
// failures, 429, 5xx, a 403 that carries a rate-limit hint) stay inside one total budget, and a
// server's `Retry-After` is honoured when it fits in that budget. A server that accepts the connection
// and never answers costs at most the budget, never the job.

/** Per attempt: GitHub and GitLab answer API calls in well under a second when they are well. */
const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;
/** All attempts of all requests made through one client: reporting must not hold a finished run. */
const DEFAULT_TOTAL_BUDGET_MS = 60_000;
/** No answer within the attempt's deadline or the client's budget. */
class HttpDeadlineError extends Error {
    constructor(message) {
        super(message);
        this.name = 'TimeoutError';
    }
}
/** `Retry-After` as seconds or as an HTTP date → milliseconds to wait; undefined when absent or unreadable. */
function retryAfterMs(header, now = Date.now()) {
    const trimmed = header?.trim();
    if (!trimmed)
        return undefined;
    if (/^\d+(\.\d+)?$/.test(trimmed))
        return Math.round(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
/**
 * How long a rate-limited answer asks us to wait: `Retry-After`, else GitHub's `x-ratelimit-reset`
 * (epoch seconds) when no requests remain. Undefined for an answer that is not a rate limit.
 */
function rateLimitWaitMs(status, headers, now = Date.now()) {
    const hinted = retryAfterMs(headers.get('retry-after'), now);
    // GitHub answers a secondary rate limit with 403 and a hint; a 403 without one is a permission.
    if (status !== 429 && !(status === 403 && (hinted !== undefined || headers.get('x-ratelimit-remaining') === '0')))
        return undefined;
    if (hinted !== undefined)
        return hinted;
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0)
        return Math.max(0, reset * 1000 - now);
    return undefined;
}
/** Retrying these after a lost answer cannot do a thing twice. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
function describeFailure(error) {
    const e = error;
    const code = e.cause?.code;
    return code ? `${e.cause?.message ?? e.message} (${code})` : (e.message ?? String(error));
}
/** The request's URL without query or credentials, for messages. */
function shownUrl(input) {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    try {
        const url = new URL(raw);
        return `${url.origin}${url.pathname}`;
    }
    catch {
        return raw;
    }
}
/**
 * A `fetch` with a deadline per attempt, bounded retries and one total budget for everything sent
 * through it. The answer's body is read inside the deadline, so a server that sends headers and
 * then stalls is caught too. After the last attempt the last answer is returned (the caller turns a
 * non-2xx into its own error) or the last failure thrown.
 */
function createPatientFetch(options = {}) {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const attemptTimeout = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
    const budget = options.totalBudgetMs ?? DEFAULT_TOTAL_BUDGET_MS;
    const maxRetries = options.maxRetries ?? 3;
    const baseDelay = options.baseDelayMs ?? 1000;
    const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const now = options.now ?? Date.now;
    const started = now();
    const remaining = () => budget - (now() - started);
    const attempt = async (input, init, limit) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new HttpDeadlineError(`no answer within ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(limit)}`)), limit);
        const outer = init?.signal;
        const forward = () => controller.abort(outer?.reason);
        outer?.addEventListener('abort', forward, { once: true });
        try {
            const response = await fetchImpl(input, { ...init, signal: controller.signal });
            // Buffered here, under the same deadline: a body that never ends is a stalled answer.
            const body = await response.arrayBuffer();
            return new Response(response.status === 204 || response.status === 304 ? null : body, {
                status: response.status,
                statusText: response.statusText,
                headers: response.headers,
            });
        }
        catch (error) {
            if (controller.signal.aborted && controller.signal.reason instanceof HttpDeadlineError)
                throw controller.signal.reason;
            throw error;
        }
        finally {
            clearTimeout(timer);
            outer?.removeEventListener('abort', forward);
        }
    };
    return async (input, init) => {
        const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
        const what = `${method} ${shownUrl(input)}`;
        for (let retry = 0;; retry++) {
            const left = remaining();
            if (left <= 0)
                throw new HttpDeadlineError(`${what}: no answer within the ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(budget)} budget for API calls`);
            let wait;
            let reason;
            try {
                const response = await attempt(input, init, Math.min(attemptTimeout, left));
                const limited = rateLimitWaitMs(response.status, response.headers, now());
                if (response.status < 500 && response.status !== 429 && limited === undefined)
                    return response;
                if (retry >= maxRetries)
                    return response;
                // A POST that got a 5xx may have been done; GitHub and GitLab retry those themselves only on 502-504.
                if (!IDEMPOTENT.has(method) && response.status >= 500 && ![502, 503, 504].includes(response.status))
                    return response;
                if (limited !== undefined && limited > maxRetryAfter)
                    return response;
                wait = limited ?? baseDelay * 2 ** retry;
                reason = `answered HTTP ${response.status}`;
                if (wait >= remaining())
                    return response;
            }
            catch (error) {
                if (init?.signal?.aborted)
                    throw error;
                const deadline = error instanceof HttpDeadlineError;
                // A POST whose answer was lost may have been done: sending it again could post twice.
                if (retry >= maxRetries || (deadline && !IDEMPOTENT.has(method))) {
                    throw deadline ? new HttpDeadlineError(`${what}: ${error.message}`) : error;
                }
                wait = baseDelay * 2 ** retry;
                reason = deadline ? error.message : `failed: ${describeFailure(error)}`;
                if (wait >= remaining())
                    throw deadline ? new HttpDeadlineError(`${what}: ${error.message}`) : error;
            }
            options.onRetry?.(`${what} ${reason}; retrying in ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(wait)} (${retry + 1}/${maxRetries})`);
            await sleep(wait);
        }
    };
}


/***/ }),

/***/ 2523:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   CU: () => (/* binding */ parseInput),
/* harmony export */   N9: () => (/* binding */ normaliseArgv),
/* harmony export */   dm: () => (/* binding */ parseArgsOptions),
/* harmony export */   h$: () => (/* binding */ inputsFromFlags),
/* harmony export */   i6: () => (/* binding */ renderFlagHelp)
/* harmony export */ });
/* unused harmony exports parseCommentMode, parseAbDesign, INPUTS, SECRET_INPUTS */
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2973);
/* harmony import */ var _notify_payload_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7383);
/* harmony import */ var _notify_sinks_index_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1745);
/* harmony import */ var _baseline_rules_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1568);
/* harmony import */ var _verdict_duet_decision_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(5208);
/* harmony import */ var _verdict_duet_run_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(2813);






const RUN = ['run', 'merge'];
const RUN_AND_DEMO = ['run', 'merge', 'demo'];
const K6_COMMANDS = ['run', 'merge', 'demo', 'install'];
const COLLECT = ['collect'];
const value = (flag, arg, commands = RUN) => ({ kind: 'value', flag, arg, commands });
/** Declares one input with its value type inferred from its parser. */
function input(spec) {
    return { action: true, ...spec };
}
/** `parse` of a value that is only checked when given. */
function ifGiven(text, parse) {
    const given = (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text);
    return given === undefined ? undefined : parse(given);
}
/** A whole number from `min` to `max`; unset gives `fallback`. */
function wholeNumber(name, min, max, unit, example) {
    return (text) => {
        const given = (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text);
        if (given === undefined)
            return undefined;
        const n = Number(given);
        if (!/^\d+$/.test(given) || !Number.isInteger(n) || n < min || n > max) {
            throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`${name} ${JSON.stringify(given)} is not valid; expected a whole number of ${unit} from ${min} to ${max}, e.g. ${example}`);
        }
        return n;
    };
}
/** `comment`: when the action writes its pull request comment. */
function parseCommentMode(text) {
    const mode = (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text)?.toLowerCase() ?? 'always';
    if (mode === 'always' || mode === 'on-regression' || mode === 'never')
        return mode;
    if (mode === 'true')
        return 'always';
    if (mode === 'false')
        return 'never';
    throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`comment ${JSON.stringify(text)} is not valid; expected always, on-regression or never`);
}
const percent = (fraction) => `${Number((fraction * 100).toFixed(4))}%`;
/** `ab-design`: how A/B mode measures A and B. */
function parseAbDesign(text) {
    const design = (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text)?.toLowerCase() ?? 'duet';
    if (design === 'duet' || design === 'abba')
        return design;
    throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`ab-design ${JSON.stringify(text)} is not valid; expected duet (A and B at the same time, the default) or abba (interleaved pairs of whole runs)`);
}
/** `max-duration`: a duration of at least one duet block, checked before anything runs. */
function parseMaxDuration(text) {
    const ms = (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseTimeLimit */ .Er)('max-duration', text) ?? _verdict_duet_run_js__WEBPACK_IMPORTED_MODULE_4__/* .DUET_MAX_DURATION_MS */ .gl;
    try {
        (0,_verdict_duet_run_js__WEBPACK_IMPORTED_MODULE_4__/* .checkDuetDurations */ .u$)(_verdict_duet_run_js__WEBPACK_IMPORTED_MODULE_4__/* .DUET_BLOCK_MS */ .Mk, ms);
    }
    catch (error) {
        throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(error.message);
    }
    return ms;
}
const INPUTS = {
    scenarios: input({
        help: 'bundled scenario names or k6 script paths (name=path sets the name)',
        flags: [{ kind: 'positional', commands: RUN }],
    }),
    profile: input({
        help: 'smoke | load | stress | spike | soak | breakpoint (bundled scenarios)',
        flags: [value('profile', 'NAME')],
        template: ['staging-profile', 'production-profile', 'scheduled-profile', 'profile'],
    }),
    target: input({
        help: 'base URL of the system under test (BASE_URL for the script)',
        flags: [value('target', 'URL')],
        template: ['staging-url', 'production-url', 'target-url'],
    }),
    environment: input({
        help: 'a named environment (its base URL is the default target)',
        flags: [value('environment', 'NAME')],
        template: ['staging-environment', 'production-environment', 'environment'],
    }),
    environments: input({
        help: 'named environments (default k6-gate.environments.json, if present)',
        flags: [value('environments', 'FILE')],
    }),
    'allow-heavy-load': input({
        help: 'allow stress/spike/soak/breakpoint on a pull/merge request or a protected environment',
        default: 'false',
        flags: [{ kind: 'switch', flag: 'allow-heavy-load', sets: 'true', commands: RUN }],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('allow-heavy-load', text, false),
    }),
    'allow-new-baseline': input({
        help: 'true: in a protected environment, a run without its baseline entry passes\n(with a warning) instead of failing (default false)',
        default: 'false',
        flags: [value('allow-new-baseline', 'BOOL')],
        template: ['allow-new-baseline'],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('allow-new-baseline', text, false),
    }),
    'health-url': input({
        help: 'wait for this URL before k6 starts (default: the target)',
        flags: [value('health-url', 'URL')],
    }),
    preflight: input({
        help: 'wait for the target before k6 starts',
        default: 'true',
        flags: [{ kind: 'switch', flag: 'no-preflight', sets: 'false', commands: RUN, help: 'do not wait for the target' }],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('preflight', text, true),
    }),
    'preflight-timeout': input({
        help: 'how long to wait for the target (default 30s)',
        default: '30s',
        flags: [value('preflight-timeout', 'D')],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseTimeLimit */ .Er)('preflight-timeout', text, 'leaves the target no time to answer; expected e.g. "30s" (the default), or --no-preflight (preflight: false) to skip the check') ?? 30_000,
    }),
    baseline: input({
        help: `baseline JSON (default ${_config_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_BASELINE_PATH */ .Gf})`,
        default: _config_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_BASELINE_PATH */ .Gf,
        flags: [value('baseline', 'FILE', RUN_AND_DEMO)],
        template: ['baseline'],
    }),
    config: input({
        help: 'rules file: watched metrics, tolerances (JSON or YAML)',
        flags: [value('config', 'FILE')],
    }),
    tolerance: input({
        help: 'relative tolerance of every watched metric, e.g. 10% (overrides --config)',
        flags: [value('tolerance', 'P')],
        parse: (text) => ifGiven(text, (given) => (0,_baseline_rules_js__WEBPACK_IMPORTED_MODULE_2__/* .parseTolerance */ .BL)(given, 'tolerance')),
    }),
    watch: input({
        help: 'watch this metric instead of the defaults (repeatable), e.g. http_req_duration:p(95)',
        flags: [{ kind: 'repeat', flag: 'watch', arg: 'METRIC:STAT', join: 'lines', commands: RUN }],
        parse: (text) => ifGiven(text, _baseline_rules_js__WEBPACK_IMPORTED_MODULE_2__/* .splitWatchInput */ ._f),
    }),
    'history-limit': input({
        help: 'runs kept in the baseline history (default 10)',
        flags: [value('history-limit', 'N')],
        parse: (text) => ifGiven(text, (given) => (0,_baseline_rules_js__WEBPACK_IMPORTED_MODULE_2__/* .parseHistoryLimit */ .Nr)(given, 'history-limit')),
    }),
    confidence: input({
        help: 'prediction-interval confidence (default 0.99)',
        flags: [value('confidence', 'C')],
        parse: (text) => ifGiven(text, (given) => (0,_baseline_rules_js__WEBPACK_IMPORTED_MODULE_2__/* .parseConfidence */ .Go)(given, 'confidence')),
    }),
    'results-dir': input({
        help: `where summaries and reports go (default ${_config_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_RESULTS_DIR */ .ns})`,
        default: _config_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_RESULTS_DIR */ .ns,
        flags: [value('results-dir', 'DIR', RUN_AND_DEMO)],
        template: ['results-dir'],
    }),
    'fail-on': input({
        help: 'regression,thresholds (default) | any of regression, thresholds, inconclusive | none',
        default: 'regression,thresholds',
        flags: [value('fail-on', 'LIST', RUN_AND_DEMO)],
        template: ['staging-fail-on', 'production-fail-on', 'scheduled-fail-on', 'fail-on'],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseFailOn */ .XV)(text),
    }),
    'update-baseline': input({
        help: 'record this run in the baseline: true | auto (default branch) | always | force | false |\nmerge-request (GitLab job: propose the updated file in a merge request)',
        default: 'false',
        flags: [
            {
                kind: 'optional-value',
                flag: 'update-baseline',
                arg: '[MODE]',
                bare: 'true',
                // A mode word, or a word that looks like one ("yes", "on", "0"): the latter must fail as a
                // bad mode rather than run as a scenario of that name.
                valueWords: /^(true|false|auto|force|always|never|pull-request|merge-request|yes|no|on|off|y|n|0|1|enabled?|disabled?)$/i,
                commands: RUN,
            },
            { kind: 'switch', flag: 'update-baseline', sets: 'always', commands: ['demo'], help: 'record this run into the baseline' },
        ],
        parse: (text, context) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseUpdateBaseline */ .U4)(text, context.onCi ? 'auto' : 'always'),
    }),
    'k6-version': input({
        help: `k6 to use (default ${_config_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_K6_VERSION */ .ti})`,
        default: _config_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_K6_VERSION */ .ti,
        flags: [value('k6-version', 'V', K6_COMMANDS)],
        template: ['k6-version'],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseK6Version */ .fE)((0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text) ?? _config_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_K6_VERSION */ .ti),
    }),
    'k6-install': input({
        help: 'auto | release | go | path (default auto)',
        flags: [value('k6-install', 'METHOD', K6_COMMANDS), { kind: 'value', flag: 'method', arg: 'METHOD', commands: ['install'] }],
    }),
    'k6-download-url': input({
        help: 'release URL template for mirrors: {tag} {version} {asset}',
        flags: [value('k6-download-url', 'URL', K6_COMMANDS)],
    }),
    'k6-sha256': input({
        help: 'SHA-256 the release archive must have (see docs/install.md)',
        flags: [value('k6-sha256', 'HEX', K6_COMMANDS)],
    }),
    'k6-path': input({
        help: 'a k6 binary to use (implies --k6-install path)',
        flags: [value('k6-path', 'FILE', K6_COMMANDS)],
    }),
    'k6-args': input({
        help: 'extra k6 arguments, split like a shell would (no shell runs)',
        flags: [{ kind: 'value', flag: 'k6-args', arg: '"ARGS"', commands: RUN, anyWord: true }],
    }),
    env: input({
        help: 'extra variable for the script (repeatable)',
        flags: [{ kind: 'repeat', flag: 'env', arg: 'KEY=VALUE', join: 'quoted-words', commands: RUN }],
    }),
    'secret-env': input({
        help: 'pass this environment variable to k6 as a secret (repeatable)',
        flags: [{ kind: 'repeat', flag: 'secret-env', arg: 'NAME', join: 'commas', commands: RUN }],
    }),
    'auth-token': input({
        help: 'a token for the script, as AUTH_TOKEN (a secret; prefer --secret-env)',
        flags: [value('auth-token', 'TOKEN')],
        secret: true,
    }),
    timeout: input({
        help: 'stop k6 after D (SIGINT, then kill after a grace period)',
        flags: [value('timeout', 'D')],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseTimeLimit */ .Er)('timeout', text),
    }),
    'html-report': input({
        help: "write k6's HTML dashboard report",
        default: 'true',
        flags: [{ kind: 'switch', flag: 'no-html-report', sets: 'false', commands: RUN_AND_DEMO, help: "skip k6's HTML dashboard report" }],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('html-report', text, true),
    }),
    'raw-output': input({
        help: 'also write every sample (k6-<scenario>.json.gz); a shard then writes them instead of its state file',
        default: 'false',
        flags: [{ kind: 'switch', flag: 'raw-output', sets: 'true', commands: RUN }],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('raw-output', text, false),
    }),
    'metrics-output': input({
        help: "stream k6's samples while it runs (repeatable): prometheus=<remote-write URL>\n" +
            '(k6-gate pushes its verdict series there too), prometheus-native=URL\n' +
            '(Trends as native histograms), influxdb=URL, otlp=URL, json=FILE',
        flags: [{ kind: 'repeat', flag: 'metrics-output', arg: 'KIND=T', join: 'lines', commands: RUN }],
        template: ['metrics-output'],
    }),
    analysis: input({
        help: 'live sample analysis (per-endpoint table, error mix, k6 health, sampling bands)',
        default: 'true',
        flags: [
            {
                kind: 'switch',
                flag: 'no-analysis',
                sets: 'false',
                commands: RUN,
                help: 'skip live sample analysis (per-endpoint table, error mix, k6 health, sampling bands)',
            },
            { kind: 'value', flag: 'analysis', arg: 'BOOL', commands: RUN, help: 'the same as a value: true (default) | false' },
        ],
        template: ['analysis'],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('analysis', text, true),
    }),
    notify: input({
        help: `notify ${_notify_sinks_index_js__WEBPACK_IMPORTED_MODULE_1__/* .NOTIFY_SINKS */ .RN.map((sink) => `${sink.kind}=VAR`).join(' or ')} (VAR holds the URL; repeatable)`,
        flags: [{ kind: 'repeat', flag: 'notify', arg: 'KIND=VAR', join: 'commas', commands: RUN }],
        template: ['notify'],
    }),
    'notify-on': input({
        help: 'regression (default), error or always',
        default: 'regression',
        flags: [value('notify-on', 'WHEN')],
        template: ['notify-on'],
        parse: (text) => {
            const when = (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text) ?? 'regression';
            if (!_notify_payload_js__WEBPACK_IMPORTED_MODULE_5__/* .NOTIFY_ON */ .G.includes(when)) {
                throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`notify-on ${JSON.stringify(when)} is not valid; expected regression, error or always`);
            }
            return when;
        },
    }),
    'endpoints-top': input({
        help: 'endpoints listed in the per-endpoint table (default 10)',
        default: '10',
        flags: [value('endpoints-top', 'N')],
        template: ['endpoints-top'],
        parse: (text) => wholeNumber('endpoints-top', 1, 100, 'endpoints', 10)(text) ?? 10,
    }),
    confirm: input({
        help: 'rerun a regressed scenario up to N times; fail only if it persists (default 1)',
        flags: [value('confirm', 'N')],
        parse: wholeNumber('confirm', 0, 5, 'reruns', 1),
    }),
    'baseline-target': input({
        help: 'A/B mode: a deployment of the base version, measured at the same time as --target (a duet)',
        flags: [value('baseline-target', 'URL')],
        template: ['baseline-target'],
    }),
    'ab-design': input({
        help: 'A/B mode: duet (default: both sides at once, decided block by block) | abba (6 pairs of whole runs)',
        default: 'duet',
        flags: [value('ab-design', 'DESIGN')],
        template: ['ab-design'],
        parse: parseAbDesign,
    }),
    'ab-min-effect': input({
        help: `A/B duet: the smallest latency change that counts, e.g. 5% (default ${percent(_verdict_duet_decision_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_DUET_OPTIONS */ .Wc.minEffect)})`,
        default: percent(_verdict_duet_decision_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_DUET_OPTIONS */ .Wc.minEffect),
        flags: [value('ab-min-effect', 'P')],
        template: ['ab-min-effect'],
        parse: (text) => ifGiven(text, (given) => (0,_baseline_rules_js__WEBPACK_IMPORTED_MODULE_2__/* .parseTolerance */ .BL)(given, 'ab-min-effect')) ?? _verdict_duet_decision_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_DUET_OPTIONS */ .Wc.minEffect,
    }),
    'max-duration': input({
        help: `A/B duet: the most k6 time per side before it says inconclusive (default ${_verdict_duet_run_js__WEBPACK_IMPORTED_MODULE_4__/* .DUET_MAX_DURATION_MS */ .gl / 1000}s)`,
        default: `${_verdict_duet_run_js__WEBPACK_IMPORTED_MODULE_4__/* .DUET_MAX_DURATION_MS */ .gl / 1000}s`,
        flags: [value('max-duration', 'D')],
        template: ['max-duration'],
        parse: parseMaxDuration,
    }),
    shard: input({
        help: 'run shard I of N (execution segments); writes shard files for merge',
        flags: [value('shard', 'I/N')],
    }),
    'merge-from': input({
        help: '(merge) folder with the shard files of all shards',
        flags: [value('from', 'DIR')],
    }),
    'collect-run-id': input({
        help: '(collect) the run id: the testrun_name tag of every push (k6-operator: the TestRun name)',
        action: false,
        flags: [value('run-id', 'ID', COLLECT)],
    }),
    'collect-runners': input({
        help: '(collect) how many runners push: instance_id 1..N (the TestRun parallelism)',
        action: false,
        flags: [value('runners', 'N', COLLECT)],
        parse: wholeNumber('runners', 1, 1000, 'runners', 4),
    }),
    'collect-listen': input({
        help: '(collect) address the collector listens on',
        default: '127.0.0.1:9091',
        action: false,
        flags: [value('listen', 'HOST:PORT', COLLECT)],
    }),
    'collect-token-env': input({
        help: '(collect) environment variable holding the Bearer token the runners push with',
        action: false,
        flags: [value('token-env', 'NAME', COLLECT)],
    }),
    'collect-token-file': input({
        help: '(collect) file holding that token (e.g. a mounted Secret), instead of --token-env',
        action: false,
        flags: [value('token-file', 'FILE', COLLECT)],
    }),
    'collect-runner-timeout': input({
        help: '(collect) a runner silent this long without finishing is reported as stopped',
        default: '60s',
        action: false,
        flags: [value('runner-timeout', 'D', COLLECT)],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseTimeLimit */ .Er)('runner-timeout', (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text) ?? '60s', 'is no time to wait for a push; expected e.g. "60s"'),
    }),
    'collect-deadline': input({
        help: '(collect) the latest end of the whole collection, from its start',
        default: '2h',
        action: false,
        flags: [value('deadline', 'D', COLLECT)],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseTimeLimit */ .Er)('deadline', (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text) ?? '2h', 'is no time for a test; expected e.g. "2h"'),
    }),
    'collect-linger': input({
        help: '(collect) after the verdict, keep running until stopped (a Deployment keeps its results)',
        action: false,
        flags: [{ kind: 'switch', flag: 'linger', sets: 'true', commands: COLLECT }],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('collect-linger', text, false),
    }),
    'mr-note': input({
        help: 'GitLab: post the report as a sticky merge-request note (needs K6_GATE_GITLAB_TOKEN)',
        default: 'true',
        action: false,
        flags: [value('mr-note', 'BOOL')],
        template: ['mr-note'],
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('mr-note', text, true),
    }),
    'dotenv-prefix': input({
        help: 'GitLab: key prefix of the dotenv variables, e.g. K6_GATE_STAGING_ (default K6_GATE_)',
        action: false,
        flags: [value('dotenv-prefix', 'PREFIX')],
    }),
    token: input({ help: 'GitHub token for the pull request comment', secret: true }),
    comment: input({ help: 'always | on-regression | never', default: 'always', parse: parseCommentMode }),
    'comment-id': input({
        help: 'identifier of the sticky PR comment or MR note (default: the job)',
        flags: [value('comment-id', 'ID')],
    }),
    'artifact-name': input({ help: 'name of the results artifact' }),
    'retention-days': input({
        help: 'artifact retention, 1 to 90 days (empty: the repository default)',
        parse: wholeNumber('retention-days', 1, 90, 'days', 30),
    }),
    'upload-artifacts': input({
        help: 'upload the results folder as an artifact',
        default: 'true',
        parse: (text) => (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBoolean */ .yG)('upload-artifacts', text, true),
    }),
    matrix: input({ help: 'toJSON(matrix) of the job (names the comment and the artifact)' }),
};
/** The typed value of one input through its declared parser (the text itself when it has none). */
function parseInput(name, text, context = {}) {
    const spec = INPUTS[name];
    return (spec.parse ? spec.parse(text, context) : (0,_config_js__WEBPACK_IMPORTED_MODULE_0__/* .optional */ .lq)(text));
}
/** Flags that are not inputs: what a command prints and how much it says. */
const OUTPUT_FLAGS = {
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
};
const OUTPUT_HELP = [
    ['--json', 'print comparison.json instead of the Markdown report'],
    ['--verbose', 'more log lines (and the stack of an error)'],
];
function flagsOf(command) {
    const out = [];
    for (const [name, spec] of Object.entries(INPUTS)) {
        for (const flag of spec.flags ?? []) {
            const commands = flag.commands ?? RUN;
            // collect gates like merge: merge's flags, but its folder is the collector's own.
            const takes = commands.includes(command) || (command === 'collect' && commands.includes('merge') && name !== 'merge-from');
            if (takes)
                out.push({ input: name, flag });
        }
    }
    return out;
}
/** node:util parseArgs options of a command: its inputs' flags, then `extra` (a command's own flags). */
function parseArgsOptions(command, extra = {}) {
    const options = { ...extra };
    for (const { flag } of flagsOf(command)) {
        if (flag.kind === 'positional')
            continue;
        options[flag.flag] =
            flag.kind === 'switch' ? { type: 'boolean' } : { type: 'string', ...(flag.kind === 'repeat' ? { multiple: true } : {}) };
    }
    if (command !== 'install')
        Object.assign(options, { json: OUTPUT_FLAGS.json });
    return { ...options, verbose: OUTPUT_FLAGS.verbose, help: OUTPUT_FLAGS.help };
}
/**
 * Prepares argv for parseArgs: a value flag takes the next word even when it starts with a dash
 * (`--tolerance -5%` is a bad tolerance, not a missing value; `--k6-args "--tag a=b"` is k6's), and
 * an optional-value flag standing alone gets its bare value.
 */
function normaliseArgv(command, argv) {
    const byFlag = new Map();
    for (const { flag } of flagsOf(command))
        if (flag.kind !== 'positional')
            byFlag.set(`--${flag.flag}`, flag);
    const out = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const flag = byFlag.get(arg);
        const next = argv[i + 1];
        if (flag?.kind === 'optional-value') {
            if (next !== undefined && flag.valueWords.test(next))
                out.push(`${arg}=${argv[++i]}`);
            else
                out.push(`${arg}=${flag.bare}`);
            continue;
        }
        const takesNext = next !== undefined &&
            next.startsWith('-') &&
            ((flag?.kind === 'value' && flag.anyWord === true) ||
                ((flag?.kind === 'value' || flag?.kind === 'repeat') && !byFlag.has(next.split('=')[0])));
        if (takesNext) {
            out.push(`${arg}=${argv[++i]}`);
            continue;
        }
        out.push(arg);
    }
    return out;
}
/** Parsed flags → the named inputs, the same names the action reads. */
function inputsFromFlags(command, values, positionals) {
    const inputs = {};
    for (const { input: name, flag } of flagsOf(command)) {
        let given;
        if (flag.kind === 'positional')
            given = positionals.join('\n');
        else {
            const raw = values[flag.flag];
            if (raw === undefined)
                continue;
            if (flag.kind === 'switch')
                given = raw === true ? flag.sets : undefined;
            else if (flag.kind === 'repeat') {
                const words = raw.map(String);
                given = flag.join === 'lines' ? words.join('\n') : flag.join === 'commas' ? words.join(',') : words.map(_config_js__WEBPACK_IMPORTED_MODULE_0__/* .quoteArg */ .X1).join(' ');
            }
            else
                given = String(raw);
        }
        // The first flag given wins over a later one of the same input (`--no-analysis` over `--analysis`).
        if (given !== undefined && inputs[name] === undefined)
            inputs[name] = given;
    }
    return inputs;
}
/** The options part of a command's `--help`, from the declarations. */
function renderFlagHelp(command) {
    const lines = [];
    const row = (usage, text) => {
        const [first, ...rest] = text.split('\n');
        lines.push(usage.length < 26 ? `  ${usage.padEnd(26)}${first}` : `  ${usage}\n  ${' '.repeat(26)}${first}`);
        for (const more of rest)
            lines.push(`  ${' '.repeat(26)}${more}`);
    };
    for (const { input: name, flag } of flagsOf(command)) {
        if (flag.kind === 'positional')
            continue;
        const text = flag.help ?? INPUTS[name].help;
        if (flag.kind === 'switch')
            row(`--${flag.flag}`, text);
        else
            row(`--${flag.flag} ${flag.arg}`, text);
    }
    if (command !== 'install')
        row(...OUTPUT_HELP[0]);
    row(...OUTPUT_HELP[1]);
    return `${lines.join('\n')}\n`;
}
/** The inputs that hold secrets (masked in every log line before anything runs). */
const SECRET_INPUTS = Object.keys(INPUTS).filter((name) => INPUTS[name].secret === true);


/***/ }),

/***/ 3445:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  i7: () => (/* binding */ configFromInputs),
  Ko: () => (/* binding */ readInputs),
  G1: () => (/* binding */ readK6Options)
});

// UNUSED EXPORTS: parseCommentMode, secretInputs

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/config.ts
var src_config = __nccwpck_require__(2973);
// EXTERNAL MODULE: ./src/input-spec.ts
var input_spec = __nccwpck_require__(2523);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./src/config-file.ts
var config_file = __nccwpck_require__(4660);
// EXTERNAL MODULE: ./src/json.ts
var json = __nccwpck_require__(8301);
// EXTERNAL MODULE: ./src/url.ts
var src_url = __nccwpck_require__(7666);
;// CONCATENATED MODULE: ./src/environments.ts
// Named target environments (staging, production, ...): their base URL, health path and whether they
// are protected (src/load-policy.ts keeps heavy profiles off protected ones), and which one a run
// means (its environment input, the environments file, the environment owning its target URL).






/** An environment named like production counts as protected, defined or not. */
const PRODUCTION_NAME = /^prod(uction)?$/i;
/** Protected: marked so in the environments file, or named production (or prod). */
function isProtectedEnvironment(name, definition) {
    return definition?.protected === true || (name !== undefined && PRODUCTION_NAME.test(name));
}
const EXAMPLE = '{ "environments": { "staging": { "baseUrl": "https://staging.example.com" }, "production": { "baseUrl": "https://example.com", "protected": true } } }';
function quote(value) {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
/**
 * Checks the `environments` map of a parsed config (k6-gate.environments.json, or the rules config
 * with an `environments` key) and returns the definitions by name.
 */
function parseEnvironments(data, source) {
    const map = (0,json/* isObject */.G)(data) ? data.environments : undefined;
    if (!(0,json/* isObject */.G)(map)) {
        throw new src_config/* ConfigError */.xL(`${source} has no "environments" object; expected e.g. ${EXAMPLE}`);
    }
    const out = {};
    for (const [name, raw] of Object.entries(map)) {
        const where = `${source}: environments.${name}`;
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
            throw new src_config/* ConfigError */.xL(`${source}: environment name ${quote(name)} is not valid; expected letters, digits, ".", "_" or "-" (e.g. "staging")`);
        }
        if (!(0,json/* isObject */.G)(raw))
            throw new src_config/* ConfigError */.xL(`${where} is ${quote(raw)}; expected an object with "baseUrl"`);
        const { baseUrl, healthPath } = raw;
        if (typeof baseUrl !== 'string' || !/^https?:\/\/[^/\s]+/.test(baseUrl)) {
            throw new src_config/* ConfigError */.xL(`${where}.baseUrl ${quote(baseUrl)} is not an http(s) URL; expected e.g. "https://staging.example.com"`);
        }
        const isProtected = raw.protected ?? false;
        if (typeof isProtected !== 'boolean') {
            throw new src_config/* ConfigError */.xL(`${where}.protected ${quote(isProtected)} is not a boolean; expected true or false`);
        }
        if (healthPath !== undefined && (typeof healthPath !== 'string' || !healthPath.startsWith('/'))) {
            throw new src_config/* ConfigError */.xL(`${where}.healthPath ${quote(healthPath)} is not a path; expected e.g. "/health"`);
        }
        out[name] = {
            name,
            baseUrl: baseUrl.replace(/\/+$/, ''),
            protected: isProtected,
            ...(healthPath !== undefined ? { healthPath } : {}),
        };
    }
    return out;
}
/** Reads a JSON or YAML file (YAML by its .yaml/.yml extension) holding `environments`. */
async function loadEnvironments(file) {
    const data = await (0,config_file/* readConfigFile */.RG)(file, {
        label: 'environments file',
        expected: `a JSON or YAML file such as ${EXAMPLE}`,
        error: (message) => new src_config/* ConfigError */.xL(message),
    });
    return parseEnvironments(data, file);
}
/** The named environment, or an error listing the known names. */
function findEnvironment(environments, name) {
    const found = environments[name];
    if (found)
        return found;
    const known = Object.keys(environments);
    throw new src_config/* ConfigError */.xL(`environment ${quote(name)} is not defined; known environments: ${known.length ? known.join(', ') : 'none'}; expected one of them, or a target URL (then the name only labels the reports)`);
}
/**
 * The defined environment a URL belongs to: its base URL is the URL's origin and a path prefix
 * (`https://shop.example.com/api` belongs to `https://shop.example.com`). The most specific wins.
 */
function environmentOfUrl(environments, url) {
    let target;
    try {
        target = new URL(url);
    }
    catch {
        return undefined;
    }
    const targetPath = target.pathname.replace(/\/+$/, '');
    let best;
    for (const env of Object.values(environments)) {
        let base;
        try {
            base = new URL(env.baseUrl);
        }
        catch {
            continue;
        }
        const basePath = base.pathname.replace(/\/+$/, '');
        const samePlace = base.protocol === target.protocol && base.host.toLowerCase() === target.host.toLowerCase();
        if (samePlace && (targetPath === basePath || targetPath.startsWith(`${basePath}/`)) && (!best || basePath.length > best.length)) {
            best = { env, length: basePath.length };
        }
    }
    return best?.env;
}
/** Looked for in the workspace when no `environments` input is given. */
const DEFAULT_ENVIRONMENTS_FILE = 'k6-gate.environments.json';
/**
 * The environment named by the run, and the defined one its target URL belongs to (whatever the run
 * calls it): a misspelt name must not turn a defined, protected environment into an unnamed one.
 */
async function resolveRunEnvironment(inputs, workspace) {
    const { name: environmentName, file: environmentsInput, target: givenTarget, merging } = inputs;
    const environmentsFile = (0,src_config/* insideWorkspace */.CT)('environments', environmentsInput ?? DEFAULT_ENVIRONMENTS_FILE, workspace);
    if (environmentsInput !== undefined && !(0,external_node_fs_.existsSync)(environmentsFile)) {
        throw new src_config/* ConfigError */.xL(`environments file ${environmentsInput} does not exist; expected a JSON or YAML file with an "environments" object`);
    }
    const defined = (0,external_node_fs_.existsSync)(environmentsFile) ? await loadEnvironments(environmentsFile) : undefined;
    const environment = environmentName !== undefined ? defined?.[environmentName] : undefined;
    // With a target the name only labels the reports; without one it must say where to send the load.
    if (environmentName !== undefined && !environment && givenTarget === undefined && !merging) {
        if (defined)
            findEnvironment(defined, environmentName);
        throw new src_config/* ConfigError */.xL(`environment ${JSON.stringify(environmentName)} is not defined: there is no environments file (${external_node_path_default().relative(workspace, environmentsFile)}); expected a file that defines it, e.g. { "environments": { "${environmentName}": { "baseUrl": "https://…" } } }, or a target URL (then the name only labels the reports)`);
    }
    const environmentOfTarget = defined && givenTarget ? environmentOfUrl(defined, givenTarget) : undefined;
    // Another name is fine when the named environment owns the URL too (two names for one deployment).
    const namedOwnsTarget = environment !== undefined && givenTarget !== undefined && environmentOfUrl({ [environment.name]: environment }, givenTarget);
    if (environmentOfTarget &&
        environmentName !== undefined &&
        environmentOfTarget.name !== environmentName &&
        !namedOwnsTarget &&
        !merging) {
        throw new src_config/* ConfigError */.xL(`environment ${JSON.stringify(environmentName)} ${environment ? `is ${environment.baseUrl}` : 'is not defined'}, but the target ${(0,src_url/* withoutCredentials */.ri)(givenTarget)} is the base URL of ${JSON.stringify(environmentOfTarget.name)} in ${external_node_path_default().relative(workspace, environmentsFile)}; expected --environment ${environmentOfTarget.name} (environment: ${environmentOfTarget.name}), or the target of ${JSON.stringify(environmentName)}`);
    }
    return { environmentName, environment, environmentOfTarget };
}

// EXTERNAL MODULE: ./src/k6/owned-options.ts
var owned_options = __nccwpck_require__(9643);
// EXTERNAL MODULE: ./src/log.ts
var log = __nccwpck_require__(5625);
;// CONCATENATED MODULE: ./src/load-policy.ts
// The one rule that keeps heavy load off systems that should not get it by accident. Heavy profiles
// (stress, spike, soak, breakpoint) are refused, unless allow-heavy-load is set, when:
//   - the run is for a pull request / merge request (possibly a stranger's fork),
//   - the environment is marked `protected` in the environments file,
//   - the environment is named production (or prod), defined or not.
// Every entry applies it alike; each platform only says whether its run is a PR/MR.


const HEAVY_PROFILES = ['stress', 'spike', 'soak', 'breakpoint'];
const WAY_OUT = 'If this is intended, set the input `allow-heavy-load: true` (GitHub/GitLab) or pass `--allow-heavy-load` (CLI); otherwise choose smoke or load';
/** Throws a ConfigError naming the way out when a heavy run is not allowed here. */
function assertLoadAllowed(facts) {
    const profile = facts.profile?.trim().toLowerCase();
    if (facts.allowHeavyLoad || profile === undefined || !HEAVY_PROFILES.includes(profile))
        return;
    if (facts.changeRequest) {
        throw new src_config/* ConfigError */.xL(`profile ${JSON.stringify(facts.profile)} is a heavy load profile and this is a ${facts.changeRequest}; expected a light profile (smoke, load) on pull and merge requests. ${WAY_OUT}.`);
    }
    const environment = facts.environment;
    if (environment?.protected) {
        throw new src_config/* ConfigError */.xL(`refusing to run the ${profile} profile against the protected environment "${environment.name}" (${environment.baseUrl}): ` +
            `${HEAVY_PROFILES.join(', ')} can overload a live system. ${WAY_OUT}, or a non-protected environment.`);
    }
    const name = facts.environmentName ?? environment?.name;
    if (name && PRODUCTION_NAME.test(name)) {
        throw new src_config/* ConfigError */.xL(`profile ${JSON.stringify(facts.profile)} is a heavy load profile and environment is ${JSON.stringify(name)}: ` +
            `${HEAVY_PROFILES.join(', ')} can overload a live system. ${WAY_OUT}.`);
    }
}

// EXTERNAL MODULE: ./src/scenarios.ts
var src_scenarios = __nccwpck_require__(4096);
// EXTERNAL MODULE: ./src/k6/files.ts
var files = __nccwpck_require__(7998);
// EXTERNAL MODULE: ./src/notify/sinks/index.ts + 2 modules
var sinks = __nccwpck_require__(1745);
;// CONCATENATED MODULE: ./src/notify/targets.ts
// The notify and notify-on inputs → where notifications go: each entry names a registered sink
// (src/notify/sinks/index.ts) and the environment variable that holds its URL, a secret that no
// message quotes.


/** `slack=SLACK_WEBHOOK_URL, webhook=MY_HOOK` → targets whose URLs come from those variables. */
function parseNotifyInput(text, when, env) {
    const entries = (0,src_config/* parseList */.E1)(text);
    if (entries.length === 0)
        return undefined;
    const targets = entries.map((entry) => {
        const match = /^([a-z][a-z0-9-]*)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(entry.trim());
        if (!match) {
            throw new src_config/* ConfigError */.xL(`notify entry ${JSON.stringify(entry)} is not kind=VARIABLE; expected e.g. slack=SLACK_WEBHOOK_URL or webhook=MY_WEBHOOK_URL (the variable holds the URL, a secret)`);
        }
        const [, kind, envName] = match;
        const sink = (0,sinks/* findSink */.H3)(kind);
        if (!sink) {
            throw new src_config/* ConfigError */.xL(`notify entry ${JSON.stringify(entry)}: ${JSON.stringify(kind)} is not a notification kind; expected ${(0,sinks/* sinkKinds */.Ne)()}`);
        }
        const url = env[envName];
        if (url === undefined || url === '') {
            throw new src_config/* ConfigError */.xL(`notify names ${envName}, but no such environment variable is set; expected the name of a variable that holds the webhook URL`);
        }
        if (!/^https?:\/\/\S+$/.test(url)) {
            // Never quote the value: it is a secret.
            throw new src_config/* ConfigError */.xL(`the value of ${envName} is not an http(s) URL; expected ${sink.url}`);
        }
        return { kind, envName, url };
    });
    return { targets, on: when };
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
;// CONCATENATED MODULE: ./src/shard/collect-settings.ts
// `k6-gate collect`'s settings from its inputs (src/inputs.ts reads them): the runners' token from a
// variable or a file (never a flag, and long enough to keep strangers' pushes out), the address the
// collector listens on, its limits.



/** Shorter collector tokens are refused: the token is all that keeps strangers' pushes out of the gate. */
const MIN_COLLECT_TOKEN_LENGTH = 16;
/** `k6-gate collect`'s settings (undefined when not collecting); the token from a variable or a file, never a flag. */
async function readCollectSettings(inputs, env, workspace) {
    const { runId, runners, tokenEnv, tokenFile } = inputs;
    if (runners === undefined)
        throw new src_config/* ConfigError */.xL('collect needs --runners N: how many k6 processes push (the TestRun parallelism)');
    if ((tokenEnv === undefined) === (tokenFile === undefined)) {
        throw new src_config/* ConfigError */.xL("collect needs the runners' Bearer token from exactly one of --token-env NAME (an environment variable) or --token-file FILE (e.g. a mounted Secret); a token is never given on the command line");
    }
    let token;
    if (tokenEnv !== undefined) {
        token = env[tokenEnv];
        if (token === undefined)
            throw new src_config/* ConfigError */.xL(`--token-env names ${tokenEnv}, but no such environment variable is set`);
    }
    else {
        const file = external_node_path_default().resolve(workspace, tokenFile);
        try {
            token = (await (0,promises_.readFile)(file, 'utf8')).replace(/\r?\n$/, '');
        }
        catch (error) {
            throw new src_config/* ConfigError */.xL(`--token-file ${JSON.stringify(tokenFile)} cannot be read (${error.code ?? error.message}); expected a file holding the token`, { cause: error });
        }
    }
    if (token.length < MIN_COLLECT_TOKEN_LENGTH || /\s/.test(token)) {
        throw new src_config/* ConfigError */.xL(`the collector's token (${tokenEnv ?? tokenFile}) is ${token.length} characters${/\s/.test(token) ? ' with white space' : ''}; expected at least ${MIN_COLLECT_TOKEN_LENGTH} characters without white space, e.g. from \`openssl rand -hex 16\``);
    }
    const listen = inputs.listen ?? '127.0.0.1:9091';
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
    if (!match || Number(match[2]) > 65535) {
        throw new src_config/* ConfigError */.xL(`--listen ${JSON.stringify(listen)} is not HOST:PORT; expected e.g. 0.0.0.0:9091 (all addresses) or 127.0.0.1:9091`);
    }
    return {
        runId,
        runners,
        host: match[1].replace(/^\[|\]$/g, ''),
        port: Number(match[2]),
        token,
        runnerTimeoutMs: inputs.runnerTimeoutMs,
        deadlineMs: inputs.deadlineMs,
        linger: inputs.linger,
    };
}

// EXTERNAL MODULE: ./src/shard/shard.ts
var shard_shard = __nccwpck_require__(2332);
// EXTERNAL MODULE: ./src/observability/metrics-output.ts
var metrics_output = __nccwpck_require__(9128);
;// CONCATENATED MODULE: ./src/inputs.ts
// The one place every input is read: named string inputs → the typed Config (and the action's
// publish settings). Each input is declared once in src/input-spec.ts (name, flags, default, parser,
// help); this module combines them (what depends on more than one input). The action's inputs, the
// CLI's flags and the demo use the same names, so an input means the same thing everywhere.















/** The values to mask in every log line, read before anything else runs (the secret inputs, secret-env). */
function secretInputs(read, env) {
    const values = [...SECRET_INPUTS.map((name) => optional(read(name))), ...parseList(read('secret-env')).map((name) => env[name])];
    return values.filter((value) => Boolean(value));
}
/** How to find or install k6: the k6-version, k6-install, k6-path and k6-download-url inputs. */
function readK6Options(get, workspace) {
    const k6Path = (0,src_config/* optional */.lq)(get('k6-path'));
    const install = (0,src_config/* parseInstallMethod */.e5)(get('k6-install') ?? (k6Path ? 'path' : undefined));
    if (install === 'path' && !k6Path) {
        throw new src_config/* ConfigError */.xL('k6-install is "path" but k6-path is not set; expected the path of a k6 binary');
    }
    return {
        version: (0,input_spec/* parseInput */.CU)('k6-version', get('k6-version')),
        install,
        downloadUrl: (0,src_config/* optional */.lq)(get('k6-download-url')),
        sha256: (0,src_config/* optional */.lq)(get('k6-sha256')),
        path: k6Path ? external_node_path_default().resolve(workspace, k6Path) : undefined,
    };
}
/** The Config alone, for entries that publish nothing of their own (CLI, demo). */
async function configFromInputs(read, context) {
    return (await readInputs(read, context)).config;
}
async function readInputs(read, context) {
    const get = (name) => (0,src_config/* optional */.lq)(read(name));
    const value = (name) => (0,input_spec/* parseInput */.CU)(name, read(name), { onCi: context.onCi });
    const workspace = external_node_path_default().resolve(context.workspace);
    const scenarios = await readScenarios(read('scenarios'), workspace, context.scenariosDir);
    // A merge (of shard files) sends no load: it needs neither a target nor the load policy.
    const collect = await readCollect(get, value, context.env, workspace);
    const merging = get('merge-from') !== undefined || collect !== undefined;
    const { environmentName, environment, environmentOfTarget } = await resolveRunEnvironment({ name: get('environment'), file: get('environments'), target: get('target'), merging }, workspace);
    const env = (0,src_config/* parseEnvPairs */.WS)('env', read('env'));
    // k6-gate sets PROFILE from the profile input; without one, the script sees the env input's PROFILE.
    // The heavy-load policy and the baseline key follow what the script will run.
    const profile = get('profile') ?? (0,src_config/* optional */.lq)(env.PROFILE);
    // Refuse heavy profiles on PR/MR runs and protected or production environments before anything runs.
    if (!merging)
        assertLoadAllowed({
            profile,
            environment: environment ?? environmentOfTarget,
            environmentName,
            changeRequest: context.changeRequest,
            allowHeavyLoad: value('allow-heavy-load'),
        });
    (0,owned_options/* checkK6Environment */.VF)(context.env);
    const { target, baselineTarget, healthUrl } = readTargets(get, value, environment);
    // k6 resolves a relative open() path against the script, not the working directory: make the
    // scenario config file absolute so it means what the user wrote.
    if (env.CONFIG_FILE)
        env.CONFIG_FILE = (0,src_config/* insideWorkspace */.CT)('CONFIG_FILE', env.CONFIG_FILE, workspace);
    const scriptSecrets = readScriptSecrets(get, context.env, env);
    const notify = parseNotifyInput(get('notify'), value('notify-on'), context.env);
    const secrets = [
        ...[target, baselineTarget].flatMap((url) => (url ? credentialsOf(url) : [])),
        ...scriptSecrets,
        ...(notify?.targets ?? []).map((notifyTarget) => notifyTarget.url),
        ...(collect ? [collect.token] : []),
    ];
    const paths = readFilePaths(get, context, workspace);
    const config = {
        rulesOverrides: readRulesOverrides(value),
        scenarios,
        profile,
        target,
        environment: environmentName,
        healthUrl,
        preflightTimeoutMs: value('preflight-timeout'),
        ...paths,
        failOn: value('fail-on'),
        updateBaseline: value('update-baseline'),
        proposeBaseline: (0,src_config/* parseBaselineProposal */.jn)(get('update-baseline')),
        k6: readK6Options(get, workspace),
        env,
        secrets,
        k6Args: ownK6Args((0,src_config/* splitArgs */.sG)(get('k6-args'))),
        timeoutMs: value('timeout'),
        htmlReport: value('html-report'),
        rawOutput: value('raw-output'),
        notify,
        analysis: { enabled: value('analysis'), top: value('endpoints-top') },
        confirm: value('confirm'),
        baselineTarget,
        abDesign: value('ab-design'),
        abMinEffect: value('ab-min-effect'),
        maxDurationMs: value('max-duration'),
        protectedEnvironment: isProtectedEnvironment(environmentName, environment ?? environmentOfTarget),
        allowNewBaseline: value('allow-new-baseline'),
        ...readShardOrMerge(get, workspace, collect && external_node_path_default().join(paths.resultsDir, shard_shard/* COLLECTED_DIR */.eK)),
        metricsOutputs: (0,metrics_output/* parseMetricsOutput */.Sk)(get('metrics-output')).map((o) => o.kind === 'json' ? { ...o, target: (0,src_config/* insideWorkspace */.CT)('metrics-output json', o.target, workspace) } : o),
        collect,
        workspace,
        git: context.git ?? {},
    };
    return { config, publish: readPublishInputs(get, value) };
}
/** `k6-gate collect`'s settings (src/shard/collect-settings.ts), when it runs. */
async function readCollect(get, value, env, workspace) {
    const runId = get('collect-run-id');
    if (runId === undefined)
        return undefined;
    const inputs = {
        runId,
        runners: value('collect-runners'),
        tokenEnv: get('collect-token-env'),
        tokenFile: get('collect-token-file'),
        listen: get('collect-listen'),
        runnerTimeoutMs: value('collect-runner-timeout'),
        deadlineMs: value('collect-deadline'),
        linger: value('collect-linger'),
    };
    return readCollectSettings(inputs, env, workspace);
}
/**
 * shard in each of N shard jobs; merge-from (or the collector's own folder) in the one merge job:
 * never both.
 */
function readShardOrMerge(get, workspace, collectedDir) {
    const shard = get('shard');
    const mergeFrom = get('merge-from');
    if (shard !== undefined && (mergeFrom !== undefined || collectedDir !== undefined)) {
        throw new src_config/* ConfigError */.xL(`shard ${JSON.stringify(shard)} and merge-from ${JSON.stringify(mergeFrom)} are both set; expected shard in the N shard jobs and merge-from only in the one merge job`);
    }
    const mergeDir = collectedDir ?? (mergeFrom !== undefined ? (0,src_config/* insideWorkspace */.CT)('merge-from', mergeFrom, workspace) : undefined);
    return { shard: shard !== undefined ? (0,shard_shard/* parseShard */.uK)(shard) : undefined, merge: mergeDir !== undefined ? { dir: mergeDir } : undefined };
}
/** The baseline, rules and results paths; the entry's own files stand in for unset inputs. */
function readFilePaths(get, context, workspace) {
    const baseline = get('baseline');
    const config = get('config');
    const resultsDir = get('results-dir') ?? src_config/* DEFAULT_RESULTS_DIR */.ns;
    return {
        baselinePath: baseline === undefined && context.defaultFiles?.baseline
            ? context.defaultFiles.baseline
            : (0,src_config/* insideWorkspace */.CT)('baseline', baseline ?? src_config/* DEFAULT_BASELINE_PATH */.Gf, workspace),
        configFile: config ? (0,src_config/* insideWorkspace */.CT)('config', config, workspace) : context.defaultFiles?.config,
        resultsDir: context.resultsDirAnywhere ? external_node_path_default().resolve(workspace, resultsDir) : (0,src_config/* insideWorkspace */.CT)('results-dir', resultsDir, workspace),
    };
}
/** The scenarios input → scripts, with names that stay apart as baseline keys and file names. */
async function readScenarios(text, workspace, scenariosDir) {
    const scenarioNames = (0,src_scenarios/* splitScenarioList */.nZ)(text);
    if (scenarioNames.length === 0) {
        throw new src_config/* ConfigError */.xL('no scenario given; expected one or more scenario names or k6 script paths, e.g. "http-endpoints" or "load/checkout.ts"');
    }
    const scenarios = [];
    for (const name of scenarioNames)
        scenarios.push(await (0,src_scenarios/* resolveScenario */.d8)(name, workspace, scenariosDir));
    const seen = new Map();
    for (const s of scenarios) {
        const other = seen.get((0,files/* safeFileName */.T)(s.name));
        if (other === s.name)
            throw new src_config/* ConfigError */.xL(`scenario name ${JSON.stringify(s.name)} is given twice; give one a distinct name with name=path`);
        // Names become file names (summary-<name>.json, k6-<name>.log): two that map to one would overwrite each other.
        if (other !== undefined) {
            throw new src_config/* ConfigError */.xL(`scenario names ${JSON.stringify(other)} and ${JSON.stringify(s.name)} both become the file name part ${JSON.stringify((0,files/* safeFileName */.T)(s.name))}, so their results would overwrite each other; expected names that differ in letters, digits, ".", "_" or "-": rename one with name=path`);
        }
        seen.set((0,files/* safeFileName */.T)(s.name), s.name);
    }
    return scenarios;
}
/** The target (given, else the environment's), the base deployment of A/B runs, and the URL the preflight polls. */
function readTargets(get, value, environment) {
    const target = get('target') ?? environment?.baseUrl;
    const baselineTarget = get('baseline-target');
    checkTargets(target, baselineTarget);
    const defaultHealth = environment?.healthPath && target ? new URL(environment.healthPath, target).toString() : target;
    const healthUrl = value('preflight') ? (get('health-url') ?? defaultHealth) : undefined;
    return { target, baselineTarget, healthUrl };
}
/** target and baseline-target: http(s) URLs, and no base deployment without a candidate. */
function checkTargets(target, baselineTarget) {
    for (const [name, value] of [
        ['target', target],
        ['baseline-target', baselineTarget],
    ]) {
        if (value === undefined)
            continue;
        let url;
        try {
            url = new URL(value);
        }
        catch {
            throw new src_config/* ConfigError */.xL(`${name} ${JSON.stringify(value)} is not a URL; expected e.g. "https://staging.example.com"`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
            throw new src_config/* ConfigError */.xL(`${name} ${JSON.stringify((0,src_url/* withoutCredentials */.ri)(value))} uses ${url.protocol}; expected an http:// or https:// URL`);
        }
    }
    if (baselineTarget !== undefined && target === undefined) {
        throw new src_config/* ConfigError */.xL('baseline-target is set but target is not; expected both: the candidate (target) and the base deployment (baseline-target)');
    }
}
/**
 * secret-env and auth-token: added to the script's environment (by variable name, so their values
 * never appear in inputs or command lines); returns the values to mask. A value too short to mask
 * is refused, never quoted.
 */
function readScriptSecrets(get, from, env) {
    const tooShort = (value) => `${value.length} character${value.length === 1 ? '' : 's'} long: too short to mask in logs (k6-gate masks secrets of ${log/* MIN_SECRET_LENGTH */.vb} characters or more)`;
    const secrets = [];
    for (const name of (0,src_config/* parseList */.E1)(get('secret-env'))) {
        const value = from[name];
        if (value === undefined || value === '') {
            throw new src_config/* ConfigError */.xL(`secret-env names ${name}, but no such environment variable is set; expected the name of a variable that holds the secret`);
        }
        if (value.length < log/* MIN_SECRET_LENGTH */.vb)
            throw new src_config/* ConfigError */.xL(`secret-env names ${name}, whose value is ${tooShort(value)}; expected a real secret`);
        env[name] = value;
        secrets.push(value);
    }
    const authToken = get('auth-token');
    if (authToken !== undefined) {
        if (authToken.length < log/* MIN_SECRET_LENGTH */.vb)
            throw new src_config/* ConfigError */.xL(`auth-token is ${tooShort(authToken)}; expected a real token`);
        env.AUTH_TOKEN = authToken;
        secrets.push(authToken);
    }
    return secrets;
}
function readPublishInputs(get, value) {
    return {
        comment: value('comment'),
        commentId: get('comment-id'),
        artifactName: get('artifact-name'),
        retentionDays: value('retention-days'),
        uploadArtifacts: value('upload-artifacts'),
        token: get('token'),
        matrix: get('matrix'),
        mrNote: value('mr-note'),
        dotenvPrefix: get('dotenv-prefix'),
    };
}
/** The rules inputs; each one, when set, wins over the rules file. */
function readRulesOverrides(value) {
    const overrides = {
        tolerance: value('tolerance'),
        historyLimit: value('history-limit'),
        confidence: value('confidence'),
        watch: value('watch'),
    };
    for (const key of Object.keys(overrides))
        if (overrides[key] === undefined)
            delete overrides[key];
    return Object.keys(overrides).length > 0 ? overrides : undefined;
}
/** The secret parts of a URL with credentials, in the forms they may be printed. */
function credentialsOf(target) {
    const url = new URL(target);
    const out = [];
    if (url.password)
        out.push(url.password, decodeURIComponent(url.password));
    if (url.username && url.password)
        out.push(`${url.username}:${url.password}`);
    return [...new Set(out)];
}
/** k6-args without the options k6-gate owns (checkK6Args refuses them, naming the input to use). */
function ownK6Args(args) {
    (0,owned_options/* checkK6Args */.jM)(args);
    return args;
}


/***/ }),

/***/ 8301:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ isObject),
/* harmony export */   U: () => (/* binding */ compareCodeUnits)
/* harmony export */ });
// The one guard for "a JSON object" (not null, not an array), used by every parser of user files
// and k6 output. The bottom layer: imports nothing.
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * The one string order of what k6-gate writes (keys of its files, ties in its tables): by UTF-16
 * code units, the same on every machine. `localeCompare` would depend on ICU data, and its first
 * call costs a short run about 10 ms of start-up.
 */
function compareCodeUnits(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}


/***/ }),

/***/ 4976:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   H: () => (/* binding */ k6Environment)
/* harmony export */ });
/* unused harmony export isInheritedByK6 */
/* harmony import */ var _owned_options_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9643);
// The environment k6 starts with. k6 scripts read every variable through `__ENV`, and a script that
// logs one puts it into an artifact, so k6 never inherits the job's environment as a whole (CI
// tokens: GITHUB_TOKEN, INPUT_TOKEN, CI_JOB_TOKEN, ACTIONS_RUNTIME_TOKEN, K6_GATE_GITLAB_TOKEN, …).
// It gets what a program needs to run (PATH, HOME, temp dir, locale, proxies, CA bundle), k6's own
// K6_* settings, and what the user handed to the script on purpose (env, secret-env, BASE_URL, …).

/** Inherited by name: what k6 and the Go runtime need on Linux, macOS and Windows. */
const INHERITED_NAMES = new Set([
    'PATH',
    'HOME',
    'USER',
    'LOGNAME',
    'TMPDIR',
    'TMP',
    'TEMP',
    'TZ',
    'LANG',
    'LANGUAGE',
    'XDG_CONFIG_HOME',
    'XDG_CACHE_HOME',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'ALL_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'all_proxy',
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
    'GODEBUG',
    'GOMAXPROCS',
    'GOMEMLIMIT',
    // Windows: the system root and profile folders a Go program reads.
    'SystemRoot',
    'SYSTEMROOT',
    'windir',
    'ComSpec',
    'PATHEXT',
    'USERPROFILE',
    'APPDATA',
    'LOCALAPPDATA',
]);
/** Inherited by prefix: locale settings and k6's own options (K6_OUT, K6_CLOUD_TOKEN, K6_PROMETHEUS_RW_*, …). */
const INHERITED_PREFIXES = ['LC_', 'K6_'];
/** Never inherited, even where a prefix matches: k6-gate's own settings and tokens. */
const NEVER_INHERITED_PREFIXES = ['K6_GATE_'];
/** Never inherited: k6 options that would change the test the baseline holds (the inputs refuse them first). */
const NEVER_INHERITED = new Set(_owned_options_js__WEBPACK_IMPORTED_MODULE_0__/* .TEST_CHANGING_K6_VARIABLES */ .lc);
function isInheritedByK6(name) {
    if (NEVER_INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix)) || NEVER_INHERITED.has(name))
        return false;
    return INHERITED_NAMES.has(name) || INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix));
}
/**
 * k6's environment: the allow-listed part of `inherited`, then `given` (the variables the user
 * passed to the script: env, secret-env, BASE_URL, PROFILE, k6 settings k6-gate chose), which wins.
 * A variable the user names explicitly is passed even if it would not be inherited.
 */
function k6Environment(inherited, given) {
    const env = {};
    for (const [name, value] of Object.entries(inherited)) {
        if (value !== undefined && isInheritedByK6(name))
            env[name] = value;
    }
    return { ...env, ...given };
}


/***/ }),

/***/ 9630:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   O: () => (/* binding */ worstOutcome),
/* harmony export */   X: () => (/* binding */ classifyExit)
/* harmony export */ });
const MEANINGS = {
    0: 'the test finished',
    97: 'the cloud test was aborted by a threshold (k6 cloud)',
    98: 'the cloud test failed (k6 cloud)',
    99: "the script's thresholds were crossed",
    100: 'setup() timed out',
    101: 'teardown() timed out',
    102: 'the test timed out',
    103: 'the test was stopped through the REST API',
    104: 'the k6 configuration is invalid',
    105: 'the test was aborted from outside (signal)',
    106: 'the k6 REST API failed',
    107: 'the script threw an exception',
    108: 'the script called test.abort()',
    109: 'k6 crashed (Go panic)',
    110: 'the script called test.fail()',
    255: 'k6 failed for an unspecified reason',
};
/** Maps k6's exit code (or the signal that killed it) to an outcome and a sentence. */
function classifyExit(code, signal) {
    if (code === null) {
        return { outcome: 'error', meaning: `k6 was killed by ${signal ?? 'a signal'} before it could exit` };
    }
    const meaning = MEANINGS[code] ?? `k6 exited with unknown code ${code}`;
    if (code === 0)
        return { outcome: 'passed', meaning };
    if (code === 99)
        return { outcome: 'thresholds-failed', meaning };
    return { outcome: 'error', meaning };
}
const ORDER = ['passed', 'inconclusive', 'regressed', 'thresholds-failed', 'error'];
/** The worse of two outcomes: error > thresholds-failed > regressed > inconclusive > passed. */
function worstOutcome(...outcomes) {
    return outcomes.reduce((worst, next) => (ORDER.indexOf(next) > ORDER.indexOf(worst) ? next : worst), 'passed');
}


/***/ }),

/***/ 7998:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ safeFileName),
/* harmony export */   q: () => (/* binding */ k6FileNames)
/* harmony export */ });
// The names of the files one k6 run leaves in the results dir. Pure: the inputs check names with it
// before anything runs, without loading the code that runs k6.
/** Scenario names become file names: keep them portable. */
function safeFileName(name) {
    return name.replace(/[^A-Za-z0-9._@-]+/g, '_');
}
function k6FileNames(scenario) {
    const safe = safeFileName(scenario);
    return { summary: `summary-${safe}.json`, log: `k6-${safe}.log`, html: `report-${safe}.html` };
}


/***/ }),

/***/ 2061:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   bC: () => (/* binding */ inspectThresholds),
/* harmony export */   nK: () => (/* binding */ inspectExecutorModel)
/* harmony export */ });
/* unused harmony export executorModelOf */
/* harmony import */ var _process_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3330);
// Which executor model a script runs: `k6 inspect` evaluates its options (with the same environment
// as the run) without running it. Open = every scenario is arrival-rate (the load does not slow
// down when the target does); closed = VU-based; mixed = both.

/** Pure: the model of an inspected options object. */
function executorModelOf(options) {
    const executors = Object.values(options.scenarios ?? {}).map((s) => s.executor ?? '');
    // No scenarios: vus/duration/stages/iterations, all VU-based.
    if (executors.length === 0)
        return 'closed';
    const open = executors.filter((e) => e.endsWith('arrival-rate')).length;
    return open === executors.length ? 'open' : open === 0 ? 'closed' : 'mixed';
}
/** The options `k6 inspect` prints for a script; undefined when it fails. */
async function inspectOptions(input) {
    const run = await (0,_process_js__WEBPACK_IMPORTED_MODULE_0__/* .runProcess */ .R3)(input.k6Path, ['inspect', input.script], {
        env: input.env,
        cwd: input.cwd,
        keep: 'stdout',
        timeoutMs: input.timeoutMs ?? 15_000,
    }).catch(() => undefined);
    if (run?.exitCode !== 0)
        return undefined;
    try {
        return JSON.parse(run.output);
    }
    catch {
        return undefined;
    }
}
/** Runs `k6 inspect`; undefined when it fails (the run itself will say why). */
async function inspectExecutorModel(input) {
    const options = await inspectOptions(input);
    return options ? executorModelOf(options) : undefined;
}
/**
 * The script's threshold expressions per metric (`{"http_req_failed": ["rate<0.01"]}`), as k6
 * resolves its options; undefined when k6 cannot inspect the script. For runs whose k6 summary
 * is not at hand (the collector's remote runners).
 */
async function inspectThresholds(input) {
    const options = await inspectOptions(input);
    if (!options)
        return undefined;
    const out = {};
    const thresholds = (options.thresholds ?? {});
    for (const [metric, entries] of Object.entries(thresholds)) {
        const list = (Array.isArray(entries) ? entries : [entries]);
        out[metric] = list
            .map((e) => (typeof e === 'string' ? e : e?.threshold))
            .filter((e) => typeof e === 'string');
    }
    return out;
}


/***/ }),

/***/ 2925:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  XT: () => (/* binding */ installK6)
});

// UNUSED EXPORTS: K6InstallError, findExecutable

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/config.ts
var config = __nccwpck_require__(2973);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
;// CONCATENATED MODULE: ./src/k6/system.ts
// Maps the machine k6-gate runs on to k6's release asset names, Go module paths and the places
// where installed tools are kept. Pure functions: the callers pass in platform, arch and environment.


class K6InstallError extends errors/* ExpectedError */.Dh {
    constructor(message, options) {
        super(message, options);
        this.name = 'K6InstallError';
    }
}
const RELEASE_PLATFORMS = [
    { os: 'linux', arch: 'x64', platform: 'linux-amd64' },
    { os: 'linux', arch: 'arm64', platform: 'linux-arm64' },
    { os: 'darwin', arch: 'x64', platform: 'macos-amd64' },
    { os: 'darwin', arch: 'arm64', platform: 'macos-arm64' },
    { os: 'win32', arch: 'x64', platform: 'windows-amd64' },
];
function supportedReleasePlatforms() {
    return RELEASE_PLATFORMS.map((entry) => `${entry.os}/${entry.arch}`);
}
/** Node's platform/arch (`linux`/`x64`) → k6's release platform (`linux-amd64`). */
function k6ReleasePlatform(platform, arch) {
    const match = RELEASE_PLATFORMS.find((entry) => entry.os === platform && entry.arch === arch);
    if (!match) {
        throw new K6InstallError(`k6 publishes no release archive for ${platform}/${arch}; supported: ${supportedReleasePlatforms().join(', ')}. ` +
            'On other platforms use k6-install: go (build from source) or k6-install: path (a k6 you installed)');
    }
    return match.platform;
}
function k6Tag(version) {
    return `v${version}`;
}
function k6ReleaseAsset(version, platform, arch) {
    const releasePlatform = k6ReleasePlatform(platform, arch);
    const format = releasePlatform.startsWith('linux-') ? 'tar.gz' : 'zip';
    const topFolder = `k6-${k6Tag(version)}-${releasePlatform}`;
    return {
        platform: releasePlatform,
        fileName: `${topFolder}.${format}`,
        format,
        topFolder,
        binaryName: platform === 'win32' ? 'k6.exe' : 'k6',
    };
}
function k6ChecksumsFileName(version) {
    return `k6-${k6Tag(version)}-checksums.txt`;
}
const DEFAULT_K6_DOWNLOAD_URL = 'https://github.com/grafana/k6/releases/download/{tag}/{asset}';
/**
 * Fills a download URL template. `{version}` is X.Y.Z, `{tag}` is vX.Y.Z, `{asset}` the file name.
 * The template must name `{asset}`: the archive and its checksums file are found through it.
 */
function expandDownloadUrl(template, version, asset) {
    if (!template.includes('{asset}')) {
        throw new K6InstallError(`k6-download-url ${JSON.stringify(template)} has no {asset} placeholder; expected a template such as ` +
            `"https://mirror.example.com/k6/{tag}/{asset}" ({version} = X.Y.Z, {tag} = vX.Y.Z, {asset} = file name)`);
    }
    const url = template.replaceAll('{version}', version).replaceAll('{tag}', k6Tag(version)).replaceAll('{asset}', asset);
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        throw new K6InstallError(`k6-download-url ${JSON.stringify(template)} does not make a URL (got ${JSON.stringify(url)}); expected an http(s) URL template`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        throw new K6InstallError(`k6-download-url ${JSON.stringify(template)} uses ${parsed.protocol}; expected an http:// or https:// URL template`);
    }
    return url;
}
/** A URL fit for logs: user info and query string (where tokens hide) are masked. */
function displayUrl(url) {
    try {
        const parsed = new URL(url);
        if (parsed.username || parsed.password) {
            parsed.username = '***';
            parsed.password = '';
        }
        if (parsed.search)
            parsed.search = '?***';
        return parsed.toString();
    }
    catch {
        return url;
    }
}
/** The Go module that holds k6 at this version: `go.k6.io/k6` for v0/v1, `go.k6.io/k6/vN` from v2 on. */
function k6ModulePath(version) {
    const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
    if (!Number.isInteger(major)) {
        throw new K6InstallError(`cannot tell the major version of k6 ${JSON.stringify(version)}; expected X.Y.Z`);
    }
    return major >= 2 ? `go.k6.io/k6/v${major}` : 'go.k6.io/k6';
}
/** The go.mod of the throwaway module that `go build` compiles k6 through. */
function k6BuildGoMod(version) {
    return `module k6build\n\ngo 1.24\n\nrequire ${k6ModulePath(version)} ${k6Tag(version)}\n`;
}
/**
 * Where tools are cached. On GitHub runners RUNNER_TOOL_CACHE/RUNNER_TEMP decide; elsewhere the
 * user's cache directory keeps installs across runs (a laptop, a GitLab runner with a cache volume).
 */
function defaultToolCacheLocation(platform, env, homeDir, systemTempDir) {
    const runnerCache = env.RUNNER_TOOL_CACHE || undefined;
    if (runnerCache) {
        return { toolCacheDir: runnerCache, tempDir: env.RUNNER_TEMP || external_node_path_default().join(systemTempDir, 'k6-gate') };
    }
    const join = platform === 'win32' ? (external_node_path_default()).win32.join : (external_node_path_default()).posix.join;
    let root;
    if (platform === 'win32') {
        root = join(env.LOCALAPPDATA || join(homeDir, 'AppData', 'Local'), 'k6-gate');
    }
    else if (platform === 'darwin') {
        root = join(homeDir, 'Library', 'Caches', 'k6-gate');
    }
    else {
        const xdg = env.XDG_CACHE_HOME;
        // The XDG spec says a relative value is invalid and must be ignored.
        root = join(xdg && external_node_path_default().posix.isAbsolute(xdg) ? xdg : join(homeDir, '.cache'), 'k6-gate');
    }
    return { toolCacheDir: join(root, 'tool-cache'), tempDir: join(root, 'tmp') };
}
/** Parses `sha256sum` output (`<hex>  <file>` or `<hex> *<file>`) into file name → lower-case hash. */
function parseChecksums(text) {
    const out = new Map();
    for (const line of text.split(/\r?\n/)) {
        const match = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line.trim());
        if (match)
            out.set(match[2], match[1].toLowerCase());
    }
    return out;
}
/**
 * `k6 v2.2.0 (go1.26.8, linux/amd64)` → `2.2.0`. k6 names itself by its file name, so a copy
 * called `k6-2.2.0` answers `k6-2.2.0 v2.2.0 (go1.26.8, linux/amd64)`: any first word is taken,
 * as long as the Go build note follows the version.
 */
function parseK6VersionOutput(output) {
    return /^\S+ v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?) \([^)]*\bgo\d/m.exec(output)?.[1];
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
// EXTERNAL MODULE: ./src/k6/process.ts + 1 modules
var k6_process = __nccwpck_require__(3330);
;// CONCATENATED MODULE: ./src/k6/tool-cache.ts
// The tool cache k6 is installed into: the layout of @actions/tool-cache (`<dir>/<tool>/<version>/<arch>`
// plus a `<arch>.complete` marker), so a runner's cache is shared with setup-* actions, but every
// location is passed in and nothing is written to stdout. Why not the library itself, measured:
// docs/adr/0006-own-tool-cache.md (no deadline can be given to its downloads, `::debug::` lines on
// stdout, directories only from the environment). Downloads go through @actions/http-client (proxy
// settings from HTTPS_PROXY/NO_PROXY, like the library), with an idle limit per attempt and a total
// budget; archives are unpacked by tar/unzip through k6/process.ts.







class DownloadHttpError extends errors/* ExpectedError */.Dh {
    url;
    statusCode;
    constructor(url, statusCode, options) {
        super(`HTTP ${statusCode}`, options);
        this.url = url;
        this.statusCode = statusCode;
        this.name = 'DownloadHttpError';
    }
}
class ExtractError extends errors/* ExpectedError */.Dh {
    output;
    constructor(message, 
    /** What the extracting program wrote on stderr, trimmed. */
    output, options) {
        super(message, options);
        this.output = output;
        this.name = 'ExtractError';
    }
}
const DOWNLOAD_ATTEMPTS = 3;
const IDLE_TIMEOUT_MS = 30_000;
const DOWNLOAD_BUDGET_MS = 10 * 60_000;
/** A download that ran out of time: no byte for the idle time, or the whole budget spent. */
class DownloadTimeoutError extends errors/* ExpectedError */.Dh {
    constructor(message) {
        super(message);
        this.name = 'DownloadTimeoutError';
    }
}
/** Retried: network failures, 5xx, 408 and 429; any other HTTP status is an answer. */
function isRetryable(error) {
    if (!(error instanceof DownloadHttpError))
        return true;
    return error.statusCode >= 500 || error.statusCode === 408 || error.statusCode === 429;
}
function createToolCache(location, log, options = {}) {
    const env = options.env ?? process.env;
    const platform = options.platform ?? process.platform;
    const folderOf = (tool, version, arch) => external_node_path_default().join(location.toolCacheDir, tool, version, arch);
    /** Empties the version's folder and drops its marker: a half-written folder is never "found". */
    const prepare = async (tool, version, arch) => {
        const folder = folderOf(tool, version, arch);
        await removeFolder(folder);
        await (0,promises_.mkdir)(folder, { recursive: true });
        return folder;
    };
    const complete = async (folder) => {
        await (0,promises_.writeFile)(`${folder}.complete`, '');
        log.debug(`cached in ${folder}`);
        return folder;
    };
    return {
        location,
        find(tool, version, arch) {
            const folder = folderOf(tool, version, arch);
            return (0,external_node_fs_.existsSync)(folder) && (0,external_node_fs_.existsSync)(`${folder}.complete`) ? folder : undefined;
        },
        async makeWorkDir(prefix) {
            await (0,promises_.mkdir)(location.tempDir, { recursive: true });
            return (0,promises_.mkdtemp)(external_node_path_default().join(location.tempDir, prefix));
        },
        remove: (tool, version, arch) => removeFolder(folderOf(tool, version, arch)),
        download: (url, dest) => downloadWithRetries(url, dest, options, log),
        async extract(file, format, dest) {
            await (0,promises_.mkdir)(dest, { recursive: true });
            // GNU tar cannot read zip; Windows' bsdtar (tar.exe) reads both.
            const [command, args] = format === 'tar.gz'
                ? ['tar', ['-xzf', file, '-C', dest]]
                : platform === 'win32'
                    ? ['tar', ['-xf', file, '-C', dest]]
                    : ['unzip', ['-o', '-q', file, '-d', dest]];
            log.debug(`running ${command} ${args.join(' ')}`);
            await runArchiveTool(command, args);
            return dest;
        },
        async cacheDir(sourceDir, tool, version, arch) {
            const folder = await prepare(tool, version, arch);
            for (const entry of await (0,promises_.readdir)(sourceDir))
                await (0,promises_.cp)(external_node_path_default().join(sourceDir, entry), external_node_path_default().join(folder, entry), { recursive: true });
            return complete(folder);
        },
        async cacheFile(sourceFile, targetName, tool, version, arch) {
            const folder = await prepare(tool, version, arch);
            await (0,promises_.cp)(sourceFile, external_node_path_default().join(folder, targetName));
            return complete(folder);
        },
        addPathOnGitHub(dir) {
            // What @actions/core's addPath does: later steps read GITHUB_PATH, this process reads PATH.
            if (!env.GITHUB_PATH)
                return false;
            (0,external_node_fs_.appendFileSync)(env.GITHUB_PATH, `${dir}${(external_node_os_default()).EOL}`);
            env.PATH = `${dir}${(external_node_path_default()).delimiter}${env.PATH ?? ''}`;
            return true;
        },
    };
}
/** One download within the budget: retried after a network failure, 5xx, 408 or 429, never another answer. */
async function downloadWithRetries(url, dest, options, log) {
    // Loaded on a cache miss only, and outside the retries (a module that cannot load is no network
    // problem): the http client, with undici, is costly to evaluate at every start.
    const { HttpClient } = await __nccwpck_require__.e(/* import() */ 942).then(__nccwpck_require__.bind(__nccwpck_require__, 4942));
    const idleMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    const budgetMs = options.budgetMs ?? DOWNLOAD_BUDGET_MS;
    const deadline = Date.now() + budgetMs;
    for (let attempt = 1;; attempt++) {
        try {
            log.debug(`Downloading ${url} to ${dest} (attempt ${attempt} of ${DOWNLOAD_ATTEMPTS})`);
            // socketTimeout: the client's own limit on a silent connection (its default is 3 min).
            const client = new HttpClient('k6-gate', [], {
                allowRetries: false,
                allowRedirects: true,
                maxRedirects: 10,
                socketTimeout: idleMs,
            });
            await downloadOnce(client, url, dest, { idleMs, deadline, budgetMs });
            return dest;
        }
        catch (error) {
            await (0,promises_.rm)(dest, { force: true });
            const left = deadline - Date.now();
            if (attempt >= DOWNLOAD_ATTEMPTS || !isRetryable(error) || left <= 0) {
                throw attempt > 1 && error instanceof Error ? Object.assign(error, { message: `${error.message} (${attempt} attempts)` }) : error;
            }
            const delay = Math.min(left, options.retryDelayMs ?? 10_000 + Math.floor(Math.random() * 10_000));
            log.debug(`download of ${url} failed (${error.message}); retrying in ${Math.round(delay / 1000)} s`);
            await new Promise((resolve) => setTimeout(resolve, delay));
        }
    }
}
/** The marker first: a folder half removed is never "found". */
async function removeFolder(folder) {
    await (0,promises_.rm)(`${folder}.complete`, { force: true });
    await (0,promises_.rm)(folder, { recursive: true, force: true });
}
async function downloadOnce(client, url, dest, limits) {
    let budgetTimer;
    let idleTimer;
    try {
        const response = await client.get(url).catch((error) => {
            throw /^Request timeout/.test(error.message) ? new DownloadTimeoutError(`no answer within ${seconds(limits.idleMs)}`) : error;
        });
        // The body has the same limits: data at least every idleMs, all of it within the budget.
        const fail = (error) => response.message.destroy(error);
        const idle = () => {
            clearTimeout(idleTimer);
            idleTimer = setTimeout(() => fail(new DownloadTimeoutError(`no data for ${seconds(limits.idleMs)}`)), limits.idleMs);
        };
        idle();
        response.message.on('data', idle);
        budgetTimer = setTimeout(() => fail(new DownloadTimeoutError(`not finished within ${seconds(limits.budgetMs)}`)), Math.max(0, limits.deadline - Date.now()));
        const status = response.message.statusCode ?? 0;
        if (status !== 200) {
            response.message.resume();
            throw new DownloadHttpError(url, status);
        }
        const expected = Number(response.message.headers['content-length'] ?? NaN);
        let received = 0;
        response.message.on('data', (chunk) => (received += chunk.length));
        await (0,external_node_stream_promises_namespaceObject.pipeline)(response.message, (0,external_node_fs_.createWriteStream)(dest, { flags: 'wx' }));
        // A connection that closes early can look like a normal end of the body.
        if (Number.isFinite(expected) && received < expected)
            throw new Error(`premature close after ${received} of ${expected} bytes`);
    }
    finally {
        clearTimeout(idleTimer);
        clearTimeout(budgetTimer);
        client.dispose();
    }
}
function seconds(ms) {
    return `${Math.round(ms / 100) / 10} s`;
}
async function runArchiveTool(command, args) {
    const run = await (0,k6_process/* runProcess */.R3)(command, args, { keep: 'all' });
    if (run.spawnError)
        throw new ExtractError(`could not run ${command}: ${run.spawnError.message}`, '', { cause: run.spawnError });
    if (run.exitCode !== 0)
        throw new ExtractError(`${command} exited with ${run.exitCode ?? run.signal}`, run.output.trim());
}

// EXTERNAL MODULE: ./src/format.ts
var format = __nccwpck_require__(6264);
;// CONCATENATED MODULE: ./src/k6/k6-version.ts
// What a k6 binary says it is: `k6 version`, run with a time limit, and remembered per binary file
// in the tool cache so a run does not start k6 once more only to ask (~50 ms).





/** How long `k6 version` may take by default. */
const VERSION_TIMEOUT_MS = 30_000;
/** Runs `<binary> version` and returns X.Y.Z, or undefined when it does not answer like k6. */
async function readK6Version(binary) {
    const probe = await probeK6Version(binary);
    return probe.version;
}
/** Where answers of `k6 version` are remembered, per binary (see rememberedVersion). */
/** Inside k6's own folder of the tool cache (`<tool cache>/k6/`), next to the versions it describes. */
const VERSION_MEMO = '.k6-gate-versions.json';
const VERSION_MEMO_ENTRIES = 32;
/**
 * `k6 version` costs a k6 start (~50 ms) on every run. Its answer is remembered in the tool cache
 * folder per binary path, with the file's size, mtime and inode: while the file is the same file,
 * it is the same k6. Any change (a rebuild, a replaced or truncated binary) probes again.
 */
async function rememberedVersion(binary, toolCacheDir, timeoutMs) {
    const memoDir = external_node_path_default().join(toolCacheDir, 'k6');
    const memoFile = external_node_path_default().join(memoDir, VERSION_MEMO);
    const info = await (0,promises_.stat)(binary).catch(() => undefined);
    let memo = {};
    try {
        const parsed = JSON.parse(await (0,promises_.readFile)(memoFile, 'utf8'));
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
            memo = parsed;
    }
    catch {
        // No memo yet, or an unreadable one: probe.
    }
    const known = memo[binary];
    if (info &&
        known &&
        known.size === info.size &&
        known.mtimeMs === info.mtimeMs &&
        known.ino === info.ino &&
        typeof known.version === 'string') {
        return { version: known.version };
    }
    const probe = await probeK6Version(binary, timeoutMs);
    if (probe.version && info) {
        const entries = Object.entries(memo).filter(([key]) => key !== binary);
        const kept = Object.fromEntries(entries.slice(-(VERSION_MEMO_ENTRIES - 1)));
        kept[binary] = { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, version: probe.version };
        // Written whole and renamed into place: a concurrent reader sees the old memo or the new one.
        const temp = `${memoFile}.${process.pid}.tmp`;
        await (0,promises_.mkdir)(memoDir, { recursive: true })
            .then(() => (0,promises_.writeFile)(temp, JSON.stringify(kept)))
            .then(() => (0,promises_.rename)(temp, memoFile))
            .catch(() => (0,promises_.rm)(temp, { force: true }).catch(() => undefined));
    }
    return probe;
}
async function probeK6Version(binary, timeoutMs = VERSION_TIMEOUT_MS) {
    const result = await (0,k6_process/* runProcess */.R3)(binary, ['version'], { timeoutMs });
    if (result.spawnError)
        return { problem: `could not run it: ${result.spawnError.message}` };
    if (result.timedOut)
        return { problem: `\`version\` did not finish within ${(0,format/* formatDuration */.a3)(timeoutMs)}` };
    const version = result.exitCode === 0 ? parseK6VersionOutput(result.output) : undefined;
    if (!version) {
        const said = result.output.trim().split(/\r?\n/)[0]?.slice(0, 200) ?? '';
        return { problem: `\`version\` exited ${result.exitCode ?? result.signal} and printed ${JSON.stringify(said)}` };
    }
    return { version };
}
/** Throws unless `binary` answers `version` with exactly `version`. */
async function expectK6Version(binary, version, what, timeoutMs) {
    const probe = await probeK6Version(binary, timeoutMs);
    if (probe.version !== version) {
        throw new K6InstallError(`${what} ${probe.version ? `reports v${probe.version}` : `does not run: ${probe.problem}`}; expected v${version}`);
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: external "node:dns/promises"
const external_node_dns_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns/promises");
;// CONCATENATED MODULE: ./src/k6/release.ts
// The release method: k6's own archive for this machine, from k6's release host or a mirror, checked
// against the SHA-256 k6 published for it before anything is extracted. The expected value never
// comes from the place the archive came from, unless that is k6's release host (docs/install.md).








/** Downloads, verifies and unpacks the release archive into the tool cache; returns the cached folder. */
async function installReleaseArchive(ctx) {
    const asset = k6ReleaseAsset(ctx.version, ctx.platform, ctx.arch);
    const template = ctx.options.downloadUrl ?? DEFAULT_K6_DOWNLOAD_URL;
    const archiveUrl = expandDownloadUrl(template, ctx.version, asset.fileName);
    const work = await ctx.cache.makeWorkDir('k6-release-');
    try {
        // From k6's release host the checksums come first (a version that does not exist costs no
        // archive download); from a mirror the archive does (a mirror without it is the first thing to say).
        const fromMirror = template !== ctx.releaseHost;
        const early = fromMirror ? undefined : await expectedSha256(ctx, asset.platform, asset.fileName, work);
        ctx.log.info(`downloading k6 v${ctx.version} (${asset.fileName}) from ${displayUrl(archiveUrl)}`);
        await assertHostResolves(archiveUrl);
        const archive = await download(ctx, archiveUrl, external_node_path_default().join(work, asset.fileName), `archive ${asset.fileName}`);
        const expected = early ?? (await expectedSha256(ctx, asset.platform, asset.fileName, work));
        const actual = await sha256File(archive);
        if (actual !== expected.hash) {
            const size = (await (0,promises_.stat)(archive)).size;
            throw new K6InstallError(`SHA-256 mismatch for ${asset.fileName} from ${displayUrl(archiveUrl)}: expected ${expected.hash} (${expected.from}), ` +
                `got ${actual} over ${size} bytes. The download is truncated or not the published file; nothing was extracted`);
        }
        ctx.log.info(`SHA-256 of ${asset.fileName} matches ${expected.from} (${actual})`);
        let extracted;
        try {
            extracted = await ctx.cache.extract(archive, asset.format, external_node_path_default().join(work, 'extracted'));
        }
        catch (error) {
            const detail = error instanceof ExtractError && error.output ? `${error.message}: ${error.output}` : messageOf(error);
            throw new K6InstallError(`could not extract ${asset.fileName} (its checksum matched ${expected.from}, so the archive at ${displayUrl(archiveUrl)} is itself damaged ` +
                `or not a ${asset.format} file): ${detail}`, { cause: error });
        }
        const folder = external_node_path_default().join(extracted, asset.topFolder);
        const binary = external_node_path_default().join(folder, asset.binaryName);
        if (!(await (0,promises_.stat)(binary).then((info) => info.isFile(), () => false))) {
            const found = await (0,promises_.readdir)(extracted).catch(() => []);
            throw new K6InstallError(`${asset.fileName} has no ${asset.topFolder}/${asset.binaryName}; it holds ${found.length ? found.join(', ') : 'nothing'}. Expected the layout of k6's release archives`);
        }
        await expectK6Version(binary, ctx.version, `the k6 in ${asset.fileName}`, ctx.versionTimeoutMs);
        const dir = await ctx.cache.cacheDir(folder, 'k6', ctx.version, ctx.arch);
        ctx.log.info(`k6 v${ctx.version} installed into the tool cache at ${dir}`);
        return dir;
    }
    finally {
        await (0,promises_.rm)(work, { recursive: true, force: true });
    }
}
/**
 * The SHA-256 the archive must have, and where it comes from. Never from the place the archive
 * comes from, unless that is k6's own release host: a mirror that replaced the archive could
 * replace its checksums file too. In order: the user's `k6-sha256`; k6-gate's record of the
 * published checksums (release-checksums.ts); the checksums file on k6's release host.
 */
async function expectedSha256(ctx, platform, fileName, work) {
    if (ctx.options.sha256)
        return { hash: ctx.options.sha256, from: 'k6-sha256' };
    const known = ctx.knownChecksums[ctx.version]?.[platform];
    if (known)
        return { hash: known, from: `k6-gate's record of k6 v${ctx.version}'s published checksums` };
    const checksumsName = k6ChecksumsFileName(ctx.version);
    const checksumsUrl = expandDownloadUrl(ctx.releaseHost, ctx.version, checksumsName);
    const mirror = (ctx.options.downloadUrl ?? ctx.releaseHost) !== ctx.releaseHost;
    const unverifiable = (why) => `k6 v${ctx.version} cannot be verified: k6-gate has no record of its checksums and ${why}. ` +
        `Set k6-sha256 to the SHA-256 of ${fileName} from ${checksumsName} on k6's release page, or use k6-install: go`;
    if (mirror)
        ctx.log.info(`the checksums file comes from k6's release host (${displayUrl(checksumsUrl)}), never from the mirror`);
    try {
        await assertHostResolves(checksumsUrl);
    }
    catch (error) {
        if (!mirror)
            throw error;
        throw new K6InstallError(unverifiable(`${messageOf(error).split(':')[0]}, where its checksums file is published`), { cause: error });
    }
    let text;
    try {
        text = await (0,promises_.readFile)(await download(ctx, checksumsUrl, external_node_path_default().join(work, checksumsName), `checksums file ${checksumsName}`), 'utf8');
    }
    catch (error) {
        if (!mirror)
            throw error;
        throw new K6InstallError(unverifiable(`its checksums file could not be fetched from k6's release host: ${messageOf(error)}`), {
            cause: error,
        });
    }
    const hash = parseChecksums(text).get(fileName);
    if (!hash) {
        throw new K6InstallError(`${checksumsName} from ${displayUrl(checksumsUrl)} lists no SHA-256 for ${fileName}, so the archive cannot be verified; ` +
            `expected a line "<sha256>  ${fileName}"`);
    }
    return { hash, from: `${checksumsName} from k6's release host` };
}
/** `k6-sha256`: 64 hex digits, any case; undefined when not set. */
function parseK6Sha256(value) {
    if (value === undefined || value.trim() === '')
        return undefined;
    const hash = value.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hash)) {
        throw new K6InstallError(`k6-sha256 ${JSON.stringify(value.slice(0, 80))} is not a SHA-256; expected 64 hex digits, the line for your platform's archive in k6-vX.Y.Z-checksums.txt`);
    }
    return hash;
}
/**
 * A host name that does not resolve will not resolve on a retry either: fail at once instead of
 * sitting through the download retries (about 30 s) before `auto` moves on to building with Go.
 */
async function assertHostResolves(url) {
    const host = new URL(url).hostname;
    try {
        await (0,external_node_dns_promises_namespaceObject.lookup)(host);
    }
    catch (error) {
        const code = error.code;
        if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
            throw new K6InstallError(`cannot resolve ${host} (${code}): the release host is not reachable from here; set k6-download-url to a mirror, or use k6-install: go`, {
                cause: error,
            });
        }
    }
}
async function download(ctx, url, dest, what) {
    try {
        return await ctx.cache.download(url, dest);
    }
    catch (error) {
        if (error instanceof DownloadHttpError && error.statusCode === 404) {
            throw new K6InstallError(`k6 v${ctx.version} ${what} does not exist at ${displayUrl(url)} (HTTP 404); check that k6-version names a published k6 release` +
                (ctx.options.downloadUrl ? ' and that the mirror in k6-download-url holds it' : ''), { cause: error });
        }
        if (error instanceof DownloadHttpError) {
            throw new K6InstallError(`downloading the ${what} from ${displayUrl(url)} failed with HTTP ${error.statusCode}`, { cause: error });
        }
        const reason = messageOf(error);
        // The tool cache has already retried network failures by now.
        const hint = /aborted|premature close|ECONNRESET/i.test(reason)
            ? ' (the connection closed before the whole file arrived, on every attempt)'
            : '';
        throw new K6InstallError(`downloading the ${what} from ${displayUrl(url)} failed: ${reason}${hint}`, { cause: error });
    }
}
async function sha256File(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_.createReadStream)(file))
        hash.update(chunk);
    return hash.digest('hex');
}
function messageOf(error) {
    return error instanceof Error ? error.message : String(error);
}

;// CONCATENATED MODULE: ./src/k6/release-checksums.ts
const K6_RELEASE_SHA256 = {
    '2.2.0': {
        'linux-amd64': 'b5a8003c86f35f5cd5ceef1490312c48e587696c94d998cefc6d7b3b4cb1597d',
        'linux-arm64': '4ecd64cadcc792402d16293836115480419c4447c032858f564852d98f1bf54c',
        'macos-amd64': '45a08590511c8a6a9c6331645e60c41624924e848e29472e87c60ac956d50372',
        'macos-arm64': '37a028506bf13578de66c906296803775df28cc2504b1a8c5d786b2803e757c7',
        'windows-amd64': 'ceb2b1e1cf9dbe1303c6c33ec83ffda86dda5c610b4def92064d3c7ebae8d9f4',
    },
};

;// CONCATENATED MODULE: ./src/k6/install.ts
// Installs the pinned k6: tool cache → (auto: k6 on PATH) → release archive verified against the
// SHA-256 k6 published for it (release.ts) → build from the Go module proxy. Every way ends with a
// binary whose `k6 version` was checked against the pin (k6-version.ts).











const TOOL_NAME = 'k6';
const GO_BUILD_TIMEOUT_MS = 30 * 60_000;
const GO_OUTPUT_TAIL_LINES = 25;
async function installK6(options, log, env = {}) {
    const version = (0,config/* parseK6Version */.fE)(options.version);
    const platform = env.platform ?? process.platform;
    const defaults = defaultToolCacheLocation(platform, process.env, external_node_os_default().homedir(), external_node_os_default().tmpdir());
    const location = {
        toolCacheDir: external_node_path_default().resolve(env.toolCacheDir ?? defaults.toolCacheDir),
        tempDir: external_node_path_default().resolve(env.tempDir ?? defaults.tempDir),
    };
    const versionTimeoutMs = env.versionTimeoutMs ?? VERSION_TIMEOUT_MS;
    if (options.install === 'path')
        return useExplicitBinary(options, version, log, location.toolCacheDir, versionTimeoutMs);
    if (options.downloadUrl !== undefined) {
        // A bad template is an input error: say so now, not after a cache miss.
        expandDownloadUrl(options.downloadUrl, version, k6ChecksumsFileName(version));
    }
    options = { ...options, sha256: parseK6Sha256(options.sha256) };
    const ctx = {
        version,
        options,
        log,
        platform,
        arch: env.arch ?? process.arch,
        binaryName: platform === 'win32' ? 'k6.exe' : 'k6',
        pathEnv: env.pathEnv ?? process.env.PATH ?? '',
        goBinary: env.goBinary,
        cache: createToolCache(location, log, {
            retryDelayMs: env.downloadRetryDelayMs,
            idleTimeoutMs: env.downloadIdleTimeoutMs,
            budgetMs: env.downloadBudgetMs,
            platform,
        }),
        versionTimeoutMs,
        releaseHost: env.releaseHost ?? DEFAULT_K6_DOWNLOAD_URL,
        knownChecksums: env.knownChecksums ?? K6_RELEASE_SHA256,
    };
    const cached = await findInCache(ctx);
    if (cached)
        return cached;
    switch (options.install) {
        case 'release':
            return finish(ctx, await installReleaseArchive(ctx), 'release');
        case 'go':
            return installWithGo(ctx, await requireGo(ctx));
        case 'auto':
            return installAuto(ctx);
        default:
            throw new K6InstallError(`unknown k6 install method ${JSON.stringify(options.install)}; expected auto, release, go or path`);
    }
}
async function findInCache(ctx) {
    const dir = ctx.cache.find(TOOL_NAME, ctx.version, ctx.arch);
    if (!dir) {
        ctx.log.debug(`k6 v${ctx.version} (${ctx.arch}) is not in the tool cache ${ctx.cache.location.toolCacheDir}`);
        return undefined;
    }
    const binary = external_node_path_default().join(dir, ctx.binaryName);
    let problem;
    if (!(await isFile(binary))) {
        problem = `${binary} is missing`;
    }
    else {
        const probe = await rememberedVersion(binary, ctx.cache.location.toolCacheDir, ctx.versionTimeoutMs);
        if (probe.problem)
            problem = probe.problem;
        else if (probe.version !== ctx.version)
            problem = `it reports k6 v${probe.version}`;
    }
    if (problem) {
        ctx.log.warning(`the cached k6 v${ctx.version} at ${dir} is broken (${problem}); removing it and installing again`);
        await ctx.cache.remove(TOOL_NAME, ctx.version, ctx.arch);
        return undefined;
    }
    ctx.log.info(`k6 v${ctx.version} found in the tool cache at ${dir}`);
    return finish(ctx, dir, 'cache');
}
async function installAuto(ctx) {
    const attempts = [`tool cache: no k6 v${ctx.version} in ${ctx.cache.location.toolCacheDir}`];
    const onPath = await findExecutable('k6', ctx.pathEnv, ctx.platform);
    if (onPath) {
        const probe = await probeK6Version(onPath, ctx.versionTimeoutMs);
        if (probe.version === ctx.version) {
            ctx.log.info(`using k6 v${probe.version} found on PATH at ${onPath}`);
            return { path: onPath, version: probe.version, source: 'path' };
        }
        const why = probe.version ? `is k6 v${probe.version}, not the pinned v${ctx.version}` : `did not report its version (${probe.problem})`;
        attempts.push(`PATH: ${onPath} ${why}`);
        ctx.log.info(`k6 on PATH (${onPath}) ${why}; trying a release download`);
    }
    else {
        attempts.push('PATH: no k6 on PATH');
        ctx.log.info('no k6 on PATH; trying a release download');
    }
    try {
        return finish(ctx, await installReleaseArchive(ctx), 'release');
    }
    catch (error) {
        const reason = install_messageOf(error);
        attempts.push(`release: ${reason}`);
        const go = await findGo(ctx);
        if (!go.binary) {
            attempts.push(`go: ${go.problem}`);
            ctx.log.info(`release download failed: ${reason}; cannot build with go either: ${go.problem}`);
        }
        else {
            ctx.log.info(`release download failed: ${reason}; trying go`);
            try {
                return await installWithGo(ctx, go.binary);
            }
            catch (goError) {
                attempts.push(`go: ${install_messageOf(goError)}`);
            }
        }
    }
    throw new K6InstallError(`could not install k6 v${ctx.version}; tried, in order:\n${attempts.map((line) => `  - ${line}`).join('\n')}`);
}
async function installWithGo(ctx, goBinary) {
    const modulePath = k6ModulePath(ctx.version);
    ctx.log.info(`building k6 v${ctx.version} from the Go module proxy (${modulePath}@v${ctx.version}) with ${goBinary}; this takes a few minutes the first time`);
    const work = await ctx.cache.makeWorkDir('k6-go-build-');
    try {
        // A throwaway module that requires k6 makes `go build` work for every major version; `go install
        // module@version` fails for v2 on proxies that have no list for the /v2 path.
        await (0,promises_.writeFile)(external_node_path_default().join(work, 'go.mod'), k6BuildGoMod(ctx.version));
        const output = external_node_path_default().join(work, 'bin', ctx.binaryName);
        const started = Date.now();
        const result = await (0,k6_process/* runProcess */.R3)(goBinary, ['build', '-o', output, modulePath], {
            cwd: work,
            env: { ...process.env, GOFLAGS: goFlags(process.env.GOFLAGS), GOWORK: 'off' },
            timeoutMs: GO_BUILD_TIMEOUT_MS,
            onLine: (line) => ctx.log.debug(`go: ${line}`),
        });
        if (result.spawnError)
            throw new K6InstallError(`could not run ${goBinary}: ${result.spawnError.message}`, { cause: result.spawnError });
        if (result.timedOut || result.exitCode !== 0) {
            const tail = result.output.trim().split(/\r?\n/).slice(-GO_OUTPUT_TAIL_LINES).join('\n');
            const how = result.timedOut
                ? `did not finish within ${GO_BUILD_TIMEOUT_MS / 60_000} minutes`
                : `exited ${result.exitCode ?? result.signal}`;
            throw new K6InstallError(`go build of ${modulePath}@v${ctx.version} ${how}; last output:\n${tail || '(none)'}`);
        }
        ctx.log.info(`built k6 v${ctx.version} in ${Math.round((Date.now() - started) / 1000)}s`);
        await expectK6Version(output, ctx.version, 'the k6 built with go', ctx.versionTimeoutMs);
        const dir = await ctx.cache.cacheFile(output, ctx.binaryName, TOOL_NAME, ctx.version, ctx.arch);
        ctx.log.info(`k6 v${ctx.version} installed into the tool cache at ${dir}`);
        return finish(ctx, dir, 'go');
    }
    finally {
        // The module cache keeps read-only files, but those live in GOMODCACHE, not here.
        await (0,promises_.rm)(work, { recursive: true, force: true });
    }
}
/** The user's GOFLAGS with -mod replaced: the throwaway module needs go.mod/go.sum filled in. */
function goFlags(existing) {
    const kept = (existing ?? '').split(/\s+/).filter((flag) => flag !== '' && !/^--?mod=/.test(flag) && !/^--?buildvcs=/.test(flag));
    // The scratch module has no VCS to stamp; a tempDir inside a checkout would otherwise need git.
    return [...kept, '-mod=mod', '-buildvcs=false'].join(' ');
}
async function requireGo(ctx) {
    const go = await findGo(ctx);
    if (!go.binary)
        throw new K6InstallError(`k6-install: go needs a Go toolchain: ${go.problem}`);
    return go.binary;
}
async function findGo(ctx) {
    if (ctx.goBinary) {
        return (await isExecutable(ctx.goBinary, ctx.platform))
            ? { binary: external_node_path_default().resolve(ctx.goBinary) }
            : { problem: `the go binary ${ctx.goBinary} does not exist or is not executable` };
    }
    const found = await findExecutable('go', ctx.pathEnv, ctx.platform);
    return found ? { binary: found } : { problem: 'no `go` binary on PATH (install Go ≥ 1.24, e.g. with actions/setup-go)' };
}
async function useExplicitBinary(options, version, log, toolCacheDir, versionTimeoutMs) {
    if (!options.path) {
        throw new K6InstallError('k6-install: path needs k6-path, the path of a k6 binary, and none was given');
    }
    const binary = external_node_path_default().resolve(options.path);
    const info = await (0,promises_.stat)(binary).catch(() => undefined);
    if (!info)
        throw new K6InstallError(`k6 binary ${JSON.stringify(options.path)} does not exist (looked at ${binary})`);
    if (info.isDirectory())
        throw new K6InstallError(`k6 binary ${JSON.stringify(options.path)} is a directory; expected the k6 executable itself`);
    if (!(await isExecutable(binary, process.platform))) {
        throw new K6InstallError(`k6 binary ${JSON.stringify(options.path)} is not executable; expected an executable file (chmod +x)`);
    }
    const probe = await rememberedVersion(binary, toolCacheDir, versionTimeoutMs);
    if (!probe.version) {
        throw new K6InstallError(`${JSON.stringify(options.path)} does not answer \`version\` like k6 does: ${probe.problem}`);
    }
    log.info(`using k6 v${probe.version} at ${binary}`);
    if (probe.version !== version) {
        log.warning(`${binary} is k6 v${probe.version}, but k6-version pins v${version}; using it anyway because k6-install is path`);
    }
    return { path: binary, version: probe.version, source: 'explicit' };
}
function finish(ctx, dir, source) {
    if (ctx.cache.addPathOnGitHub(dir))
        ctx.log.debug(`added ${dir} to PATH for later steps`);
    return { path: external_node_path_default().join(dir, ctx.binaryName), version: ctx.version, source };
}
async function isFile(file) {
    return (await (0,promises_.stat)(file).catch(() => undefined))?.isFile() ?? false;
}
async function isExecutable(file, platform) {
    if (!(await isFile(file)))
        return false;
    if (platform === 'win32')
        return true;
    return (0,promises_.access)(file, promises_.constants.X_OK).then(() => true, () => false);
}
/** The first executable `name` on a PATH string, like `which`. */
async function findExecutable(name, pathEnv, platform = process.platform) {
    const delimiter = platform === 'win32' ? ';' : ':';
    const extensions = platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
    for (const dir of pathEnv.split(delimiter)) {
        if (!dir)
            continue;
        for (const extension of extensions) {
            const candidate = external_node_path_default().resolve(dir, name + extension);
            if (await isExecutable(candidate, platform))
                return candidate;
        }
    }
    return undefined;
}
function install_messageOf(error) {
    return error instanceof Error ? error.message : String(error);
}


/***/ }),

/***/ 3684:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $V: () => (/* binding */ judgeLoadGenerator),
/* harmony export */   L3: () => (/* binding */ startLoadSampler),
/* harmony export */   fM: () => (/* binding */ startCpuWaitMeter),
/* harmony export */   t$: () => (/* binding */ k6Starved)
/* harmony export */ });
/* unused harmony exports cpuWaitPercent, K6_CPU_SATURATION, CPU_PRESSURE_WARNING_PERCENT, STEAL_WARNING_PERCENT, K6_CPU_WAIT_LIMIT_MS, DROPPED_ITERATIONS_LIMIT, cpuWaitMs */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
// Load-generator health: is the load generator itself the bottleneck, or too starved to trust? Samples,
// while k6 runs, the k6 process's CPU (/proc/<pid>/stat), how long its threads waited for a CPU
// (/proc/<pid>/task/*/schedstat), the runner's CPU pressure (Linux PSI, /proc/pressure/cpu) and steal
// time (/proc/stat); `judgeLoadGenerator` turns the figures and k6's own counters (dropped_iterations)
// into warnings that say what to change, and into the reasons the run's numbers cannot decide a
// verdict (a k6 starved of CPU, load not delivered: docs/verdicts.md, "When the load generator
// cannot be trusted"). Off Linux the /proc figures are simply absent.


/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux k6 runs on). */
const USER_HZ = 100;
/** The share of the time k6 wanted a CPU that it spent waiting for one, in %. */
function cpuWaitPercent(wait) {
    const wanted = wait.runNs + wait.waitNs;
    return wanted > 0 ? (wait.waitNs / wanted) * 100 : undefined;
}
/**
 * Run and wait time of every thread of the watched processes (Linux `/proc/<pid>/task/<tid>/schedstat`:
 * ns on a CPU, ns runnable on a run queue, timeslices). Each thread's counters start at 0 when it
 * starts, so the sum of the last reading of every thread seen is the process's total, short of what
 * a thread did between its last reading and its exit. Watch a process right after it is spawned.
 */
function startCpuWaitMeter(options = {}) {
    const pids = new Set();
    const threads = new Map();
    const sample = () => {
        for (const pid of pids) {
            let tids;
            try {
                tids = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)(`/proc/${pid}/task`);
            }
            catch {
                continue; // exited: its last readings stay
            }
            for (const tid of tids) {
                try {
                    const [run, wait, slices] = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
                    if (Number.isFinite(run) && Number.isFinite(wait))
                        threads.set(`${pid}/${tid}`, { runNs: run, waitNs: wait, slices: slices || 0 });
                }
                catch {
                    // the thread ended between the listing and the read
                }
            }
        }
    };
    const timer = setInterval(sample, options.intervalMs ?? 250);
    timer.unref();
    return {
        /** Adds a process (k6 just spawned) and reads it at once. */
        watch(pid) {
            pids.add(pid);
            sample();
        },
        /** The sums so far; undefined when nothing could be read (not Linux, no schedstat). */
        read() {
            sample();
            if (threads.size === 0)
                return undefined;
            const sum = { runNs: 0, waitNs: 0, slices: 0 };
            for (const t of threads.values()) {
                sum.runNs += t.runNs;
                sum.waitNs += t.waitNs;
                sum.slices += t.slices;
            }
            return sum;
        },
        stop() {
            clearInterval(timer);
            return this.read();
        },
    };
}
function readK6Ticks(pid) {
    try {
        const text = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(`/proc/${pid}/stat`, 'utf8');
        // The command name (field 2) may hold spaces: fields are counted after its closing ")".
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
    }
    catch {
        return undefined;
    }
}
function readPressureUs() {
    try {
        const some = /^some .*total=(\d+)/m.exec((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)('/proc/pressure/cpu', 'utf8'));
        return some ? Number(some[1]) : undefined;
    }
    catch {
        return undefined;
    }
}
function readStat() {
    try {
        const cpu = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
        return { steal: cpu[7] ?? 0, total: cpu.slice(0, 8).reduce((s, n) => s + n, 0) };
    }
    catch {
        return undefined;
    }
}
/** Starts sampling; call `watch(pid)` once k6 runs, `stop()` once it exited. */
function startLoadSampler(options = {}) {
    let pid;
    const readings = [];
    const take = () => {
        const stat = readStat();
        readings.push({
            at: Date.now(),
            k6Ticks: pid !== undefined ? readK6Ticks(pid) : undefined,
            pressureUs: readPressureUs(),
            steal: stat?.steal,
            total: stat?.total,
        });
    };
    const timer = setInterval(take, options.intervalMs ?? 250);
    timer.unref();
    const waits = startCpuWaitMeter({ intervalMs: options.intervalMs });
    const machineCores = node_os__WEBPACK_IMPORTED_MODULE_1___default().availableParallelism();
    const limit = Number(options.gomaxprocs);
    const cores = Number.isInteger(limit) && limit > 0 ? Math.min(limit, machineCores) : machineCores;
    return {
        watch(k6Pid) {
            pid = k6Pid;
            waits.watch(k6Pid);
            take();
        },
        stop() {
            clearInterval(timer);
            const k6CpuWait = waits.stop();
            const withK6 = readings.filter((r) => r.k6Ticks !== undefined);
            const first = readings[0];
            const last = readings[readings.length - 1];
            const wallMs = first && last ? last.at - first.at : 0;
            const out = { wallMs, cores };
            if (k6CpuWait)
                out.k6CpuWait = k6CpuWait;
            if (withK6.length >= 2) {
                const a = withK6[0];
                const b = withK6[withK6.length - 1];
                const span = (b.at - a.at) / 1000;
                if (span > 0)
                    out.k6CpuAvgCores = (b.k6Ticks - a.k6Ticks) / USER_HZ / span;
                let peak = 0;
                for (let i = 0, j = 0; i < withK6.length; i++) {
                    while (j < i && withK6[i].at - withK6[j + 1].at >= 1000)
                        j++;
                    const seconds = (withK6[i].at - withK6[j].at) / 1000;
                    if (seconds >= 0.9)
                        peak = Math.max(peak, (withK6[i].k6Ticks - withK6[j].k6Ticks) / USER_HZ / seconds);
                }
                out.k6CpuPeakCores = span >= 0.9 ? Math.max(peak, out.k6CpuAvgCores ?? 0) : out.k6CpuAvgCores;
            }
            if (first?.pressureUs !== undefined && last?.pressureUs !== undefined && wallMs > 0) {
                out.cpuPressurePercent = ((last.pressureUs - first.pressureUs) / 1000 / wallMs) * 100;
            }
            if (first?.total !== undefined && last?.total !== undefined && last.total > first.total) {
                out.stealPercent = ((last.steal - first.steal) / (last.total - first.total)) * 100;
            }
            return out;
        },
    };
}
const round = (n, digits = 1) => Number(n.toFixed(digits));
/** k6 using this share of the cores it may use counts as saturated. */
const K6_CPU_SATURATION = 0.9;
/** PSI "some" above this share of the run: other work competed with k6 for the CPU. */
const CPU_PRESSURE_WARNING_PERCENT = 20;
const STEAL_WARNING_PERCENT = 5;
/**
 * k6's threads waiting longer than this, on average, for a CPU each time they had work: k6 was
 * starved and its timings carry its own waiting (docs/verdicts.md has the measurements behind it).
 */
const K6_CPU_WAIT_LIMIT_MS = 10;
/** Dropped iterations above this share of the planned ones: the load the test asks for was not delivered. */
const DROPPED_ITERATIONS_LIMIT = 0.05;
/** Mean wait for a CPU per timeslice, in ms; undefined without a timeslice. */
function cpuWaitMs(wait) {
    return wait.slices > 0 ? wait.waitNs / wait.slices / 1e6 : undefined;
}
/**
 * Why k6 was too starved of CPU to measure, or undefined: the one rule for a run's k6 and for the two
 * k6 processes of a duet alike (their summed threads).
 */
function k6Starved(wait) {
    if (!wait)
        return undefined;
    const perWake = cpuWaitMs(wait);
    if (perWake === undefined || perWake < K6_CPU_WAIT_LIMIT_MS)
        return undefined;
    const share = cpuWaitPercent(wait);
    return (`k6 waited ${round(perWake)} ms on average for a CPU each time it had work (limit ${K6_CPU_WAIT_LIMIT_MS} ms; ` +
        `${round(share ?? 0)} % of the time it wanted a CPU): its timings include its own waiting. ` +
        "Run on a quieter runner, with fewer parallel jobs, and without lowering k6's priority");
}
/** Why the load the test asks for was not delivered (too many dropped iterations), or undefined. */
function loadNotDelivered(summary) {
    const dropped = summary?.metrics.dropped_iterations?.values.count ?? 0;
    const done = summary?.metrics.iterations?.values.count ?? 0;
    const planned = dropped + done;
    if (dropped <= 0 || dropped / planned <= DROPPED_ITERATIONS_LIMIT)
        return undefined;
    return (`k6 dropped ${Math.round(dropped)} of ${Math.round(planned)} planned iterations (${round((dropped / planned) * 100)} %, ` +
        `limit ${DROPPED_ITERATIONS_LIMIT * 100} %): the target got less load than the test asks for. Raise preAllocatedVUs/maxVUs, or lower the rate`);
}
/** The figures and the warnings, each saying what to change. Pure. */
function judgeLoadGenerator(summary, samples, k6Log = '', models = {}) {
    const dropped = summary?.metrics.dropped_iterations?.values.count ?? 0;
    const warnings = [];
    // k6 says so when an arrival-rate executor hits maxVUs: "Insufficient VUs, reached 80 active VUs and cannot initialize more".
    const maxed = /Insufficient VUs, reached (\d+) active VUs/.exec(k6Log);
    if (maxed) {
        warnings.push(`an arrival-rate executor reached its maxVUs (${maxed[1]} active VUs) and could not start more: the target was slower than the rate needs. Raise maxVUs (or preAllocatedVUs).`);
    }
    if (dropped > 0) {
        warnings.push(`k6 dropped ${Math.round(dropped)} iterations: an arrival-rate executor ran out of VUs, so the target saw less load than planned. Raise preAllocatedVUs/maxVUs or lower the rate.`);
    }
    const health = { droppedIterations: dropped, warnings };
    if (maxed)
        health.vusMaxedOut = Number(maxed[1]);
    if (models.run)
        health.executorModel = models.run;
    if (models.run && models.baseline && models.run !== models.baseline) {
        const words = { open: 'open (arrival-rate)', closed: 'closed (VU-based)', mixed: 'mixed (arrival-rate and VU-based)' };
        warnings.push(`this run's executor model is ${words[models.run]} but the baseline was recorded with ${words[models.baseline]}: latencies and rates of the two are not comparable. Use the same executors, or record a new baseline for this workload (update-baseline: force).`);
    }
    if (samples) {
        health.cores = samples.cores;
        if (samples.k6CpuAvgCores !== undefined)
            health.k6CpuAvgCores = round(samples.k6CpuAvgCores, 2);
        if (samples.k6CpuPeakCores !== undefined)
            health.k6CpuPeakCores = round(samples.k6CpuPeakCores, 2);
        if (samples.cpuPressurePercent !== undefined)
            health.cpuPressurePercent = round(samples.cpuPressurePercent);
        if (samples.stealPercent !== undefined)
            health.stealPercent = round(samples.stealPercent);
        if (samples.k6CpuWait) {
            const share = cpuWaitPercent(samples.k6CpuWait);
            const perWake = cpuWaitMs(samples.k6CpuWait);
            if (share !== undefined)
                health.k6CpuWaitPercent = round(share);
            if (perWake !== undefined)
                health.k6CpuWaitMs = round(perWake, 2);
        }
        const peak = samples.k6CpuPeakCores ?? 0;
        if (peak >= K6_CPU_SATURATION * samples.cores) {
            warnings.push(`k6 itself used ${round(peak, 2)} of the ${samples.cores} core(s) it may use: the load generator was saturated and latencies include k6's own queueing. Give the runner more CPU, lower VUs or rate, or shard the test.`);
        }
        if ((samples.cpuPressurePercent ?? 0) >= CPU_PRESSURE_WARNING_PERCENT) {
            warnings.push(`the runner's CPU was contended ${round(samples.cpuPressurePercent)} % of the run (PSI): other processes competed with k6. Run load tests on a dedicated runner or fewer parallel jobs.`);
        }
        if ((samples.stealPercent ?? 0) >= STEAL_WARNING_PERCENT) {
            warnings.push(`the hypervisor stole ${round(samples.stealPercent)} % of the CPU during the run: a noisy shared VM. Use a dedicated or larger runner.`);
        }
    }
    const untrustworthy = [loadNotDelivered(summary), k6Starved(samples?.k6CpuWait)].filter((why) => why !== undefined);
    if (untrustworthy.length > 0)
        health.untrustworthy = untrustworthy;
    return health;
}


/***/ }),

/***/ 9643:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   VF: () => (/* binding */ checkK6Environment),
/* harmony export */   jM: () => (/* binding */ checkK6Args),
/* harmony export */   lc: () => (/* binding */ TEST_CHANGING_K6_VARIABLES)
/* harmony export */ });
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2973);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(817);
// The k6 options k6-gate sets itself or that would change the test it compares with the baseline.
// A user gives them through k6-gate's inputs instead (the message names the input); in k6-args they
// are refused, and in the environment k6 would read them from (K6_* variables, e.g. set as CI/CD
// variables nobody sees in the job) they are refused before k6 runs and never inherited by k6.


/** k6 flags k6-gate sets or that drop a part of the verdict, with the input to use instead. */
const OWNED_FLAGS = [
    {
        flags: ['--summary-export'],
        why: (s) => `k6-args "${s}": k6-gate writes the summary export itself (summary-<scenario>.json in the results dir)`,
    },
    {
        flags: ['--no-thresholds'],
        why: (s) => `k6-args "${s}" would drop the script’s thresholds; use the fail-on input to decide whether crossed thresholds fail the job`,
    },
    { flags: ['--no-summary'], why: (s) => `k6-args "${s}" would stop k6 from writing the summary the gate compares` },
    {
        flags: ['--execution-segment', '--execution-segment-sequence'],
        why: (s) => `k6-args "${s}": k6-gate sets the execution segment of a shard; use the shard input`,
    },
];
/** Script variables k6-gate sets itself, with the input that sets them. */
const OWNED_VARIABLES = { PROFILE: 'profile', BASE_URL: 'target' };
/** Refuses k6 arguments that k6-gate owns, naming the input to use instead. */
function checkK6Args(args) {
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const flag = arg.split('=')[0];
        const owned = OWNED_FLAGS.find((o) => o.flags.includes(flag));
        if (owned)
            throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`${owned.why(flag)}; expected k6-args without it`);
        if (flag === '--summary-trend-stats') {
            // More stats are fine (e.g. count); fewer would take away what the verdict reads.
            const given = (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[i + 1] ?? '')).split(',').map((s) => s.trim());
            const missing = _summary_js__WEBPACK_IMPORTED_MODULE_1__/* .SUMMARY_TREND_STATS */ .$8.filter((stat) => !given.includes(stat));
            if (missing.length > 0) {
                throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`k6-args "--summary-trend-stats ${given.join(',')}" leaves out ${missing.join(', ')}, which k6-gate compares; expected a list that keeps ${_summary_js__WEBPACK_IMPORTED_MODULE_1__/* .SUMMARY_TREND_STATS */ .$8.join(',')} (add stats to it), or the watch input for the stats to compare`);
            }
        }
        // -e KEY=VALUE, --env KEY=VALUE, --env=KEY=VALUE, -eKEY=VALUE
        let pair;
        let shown = arg;
        if (arg === '-e' || arg === '--env') {
            pair = args[i + 1];
            shown = `${arg} ${pair ?? ''}`;
        }
        else if (arg.startsWith('--env='))
            pair = arg.slice('--env='.length);
        else if (arg.startsWith('-e') && arg.length > 2 && !arg.startsWith('--'))
            pair = arg.slice(2).replace(/^=/, '');
        const name = pair?.split('=')[0];
        if (name !== undefined && OWNED_VARIABLES[name]) {
            throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`k6-args "${shown}" sets ${name}, which k6-gate owns; use the ${OWNED_VARIABLES[name]} input (the baseline key and the heavy-load policy follow it)`);
        }
    }
}
/**
 * k6 options read from K6_* variables that change or weaken the test k6-gate compares with the
 * baseline: the workload (VUs, duration, iterations, stages, rate), the thresholds, the summary.
 */
const TEST_CHANGING_K6_VARIABLES = [
    'K6_NO_THRESHOLDS',
    'K6_DURATION',
    'K6_VUS',
    'K6_ITERATIONS',
    'K6_STAGES',
    'K6_RPS',
    'K6_PAUSED',
    'K6_NO_SETUP',
    'K6_NO_TEARDOWN',
    'K6_NO_SUMMARY',
    'K6_SUMMARY_EXPORT',
    'K6_SUMMARY_TREND_STATS',
    'K6_EXECUTION_SEGMENT',
    'K6_EXECUTION_SEGMENT_SEQUENCE',
];
/** Refuses a run whose environment sets one of TEST_CHANGING_K6_VARIABLES. */
function checkK6Environment(env) {
    const set = TEST_CHANGING_K6_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
    if (set.length === 0)
        return;
    throw new _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set in the environment (a CI/CD or shell variable?): k6 would read ${set.length === 1 ? 'it' : 'them'} and run another test than the one the baseline holds (${set.length === 1 ? 'it changes' : 'they change'} the workload, the thresholds or the summary); unset ${set.length === 1 ? 'it' : 'them'}, and change the run in the script or with env (e.g. VUS, DURATION for the bundled scenarios)`);
}


/***/ }),

/***/ 2846:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  os: () => (/* binding */ startPreflight),
  SE: () => (/* binding */ waitForHealthy)
});

// UNUSED EXPORTS: PreflightError

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __nccwpck_require__(7067);
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_);
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
var external_node_https_default = /*#__PURE__*/__nccwpck_require__.n(external_node_https_namespaceObject);
// EXTERNAL MODULE: ./src/url.ts
var src_url = __nccwpck_require__(7666);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
;// CONCATENATED MODULE: ./src/k6/preflight.ts
// Waits until the target answers its health URL before k6 starts, so an unreachable target is
// reported as such instead of as thousands of failed requests.




class PreflightError extends errors/* ExpectedError */.Dh {
    constructor(message) {
        super(message);
        this.name = 'PreflightError';
    }
}
/**
 * One GET; resolves with the status (redirects are not followed: a 3xx is an answer). node:http
 * rather than fetch: the first fetch of a process loads undici, which costs more than the check
 * itself on a fast target. Errors are shaped like fetch's (`cause.code`) for describeFetchError.
 */
function probe(url, headers, signal, sent) {
    return new Promise((resolve, reject) => {
        const client = new URL(url).protocol === 'https:' ? (external_node_https_default()) : (external_node_http_default());
        const request = client.get(url, { headers, signal }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
        });
        if (sent)
            request.once('finish', sent);
        request.on('error', (error) => {
            sent?.();
            reject(error.name === 'AbortError' ? error : Object.assign(new Error(error.message), { cause: error }));
        });
    });
}
/** Resolves once `url` answers with a status below 500; throws PreflightError after the timeout. */
async function waitForHealthy(url, options) {
    const started = Date.now();
    let delay = options.initialDelayMs ?? 250;
    const maxDelay = options.maxDelayMs ?? 5000;
    const attemptTimeout = options.attemptTimeoutMs ?? 5000;
    let attempts = 0;
    let lastProblem = 'no attempt made';
    // Credentials in the URL go as a header, and are never printed.
    const plain = (0,src_url/* splitCredentials */.JD)(url);
    url = (0,src_url/* withoutCredentials */.ri)(url);
    for (;;) {
        if (options.signal?.aborted)
            throw new PreflightError(`target health check ${url} stopped: the run ended first`);
        attempts++;
        try {
            const remaining = options.timeoutMs - (Date.now() - started);
            const status = await probe(plain.url, plain.authorization ? { authorization: plain.authorization } : {}, AbortSignal.any([
                AbortSignal.timeout(Math.max(250, Math.min(attemptTimeout, remaining))),
                ...(options.signal ? [options.signal] : []),
            ]), attempts === 1 ? options.sent : undefined);
            if (status < 500) {
                const ms = Date.now() - started;
                options.log.info(`preflight: ${url} answered ${status} after ${attempts} attempt(s), ${ms} ms`);
                return { attempts, ms, status };
            }
            lastProblem = `HTTP ${status}`;
        }
        catch (error) {
            lastProblem = (0,src_url/* describeFetchError */.Op)(error);
        }
        // Tried until the deadline itself: the last wait is cut short so one more attempt lands on it.
        const left = started + options.timeoutMs - Date.now();
        if (left <= 0) {
            throw new PreflightError(`target health check ${url} did not succeed within ${Math.round(options.timeoutMs / 1000)} s (${attempts} attempts); last problem: ${lastProblem}. Check the target URL and that the service is up, or raise preflight-timeout.`);
        }
        const wait = Math.min(delay, left);
        options.log.info(`preflight: ${url} not ready (${lastProblem}); retrying in ${wait} ms`);
        await new Promise((resolve) => {
            const timer = setTimeout(done, wait);
            options.signal?.addEventListener('abort', done, { once: true });
            function done() {
                clearTimeout(timer);
                options.signal?.removeEventListener('abort', done);
                resolve();
            }
        });
        delay = Math.min(delay * 2, maxDelay);
    }
}
/** The longest `sent` waits for the first request to be written. */
const SEND_WAIT_MS = 100;
/**
 * Starts a run's target health check, or returns undefined when the run has none (no target,
 * `preflight: false`, a merge, which measures nothing). It starts as soon as the configuration is
 * known, so the target's answer is awaited while the rest of the start-up goes on. The run's
 * secrets are masked in the log first: the check may log.
 */
function startPreflight(config, log) {
    if (!config.healthUrl || config.merge)
        return undefined;
    for (const secret of config.secrets)
        log.addSecret(secret);
    const stop = new AbortController();
    let markSent;
    const sent = new Promise((resolve) => (markSent = resolve));
    const done = waitForHealthy(config.healthUrl, { timeoutMs: config.preflightTimeoutMs, log, signal: stop.signal, sent: markSent }).then(() => undefined, (error) => error);
    // A check that ends before its first request (stopped at once) has nothing left to send either. A
    // connection that takes long to open (a host that drops packets) is not waited for: the work that
    // waits on `sent` would only report its own problems later, and the write then costs little.
    void done.finally(markSent);
    setTimeout(markSent, SEND_WAIT_MS).unref();
    return {
        sent,
        done,
        abandon: async () => {
            stop.abort();
            await done;
        },
    };
}


/***/ }),

/***/ 3330:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  R3: () => (/* binding */ runProcess),
  kp: () => (/* binding */ startProcess)
});

// UNUSED EXPORTS: PIPE_DRAIN_MS

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: ./src/k6/process.ts
// The one way k6-gate starts a program (k6 run/version/inspect, go build, tar, unzip) and collects
// what it printed. Three promises hold for every program started here:
// - it runs in its own process group, and every stop or kill goes to the whole group, so a wrapper
//   script's children (a `sleep`, the real k6 behind a shim) stop with it;
// - the wait ends when the program has exited: pipes that a leftover descendant keeps open are read
//   for a short while, then let go (the leftovers are killed with the group);
// - nothing it started outlives k6-gate: on a normal exit the groups are killed, and against a
//   SIGKILL of k6-gate (which no handler sees) a tiny watchdog (`sh`, its own group) waits for the
//   end of a pipe only k6-gate writes to, and kills the group when that pipe closes.
// Arguments are always an array: no shell ever parses a value.

const KEPT_BYTES = 64 * 1024;
/** After the program exited, how long output still in its pipes is read before they are let go. */
const PIPE_DRAIN_MS = 1000;
const GROUPS = process.platform !== 'win32';
/** Process groups still running, killed when k6-gate exits so none outlives it. */
const running = new Set();
let exitHookInstalled = false;
function signalGroup(child, signal) {
    if (child.pid === undefined)
        return;
    try {
        if (GROUPS)
            process.kill(-child.pid, signal);
        else
            child.kill(signal);
    }
    catch {
        // Already gone.
    }
}
function track(child) {
    running.add(child);
    if (exitHookInstalled)
        return;
    exitHookInstalled = true;
    process.on('exit', () => {
        for (const c of running)
            signalGroup(c, 'SIGKILL');
    });
}
/**
 * The watchdog: `read` blocks until k6-gate writes a line (the program ended; nothing to do) or
 * its end of the pipe closes without one (k6-gate died, however it died): then the group is
 * killed. Its own process group, so a Ctrl-C or a group kill aimed at k6-gate does not take it
 * first. Returns the function that dismisses it.
 */
function startWatchdog(pid) {
    let watchdog;
    try {
        watchdog = (0,external_node_child_process_namespaceObject.spawn)('sh', ['-c', 'read -r _ || kill -KILL "-$1" 2>/dev/null', 'k6-gate-watchdog', String(pid)], {
            stdio: ['pipe', 'ignore', 'ignore'],
            detached: true,
        });
    }
    catch {
        return () => undefined;
    }
    watchdog.on('error', () => undefined);
    watchdog.stdin?.on('error', () => undefined);
    // Neither keeps k6-gate's event loop alive.
    watchdog.unref();
    watchdog.stdin?._handle?.unref?.();
    return () => {
        watchdog.stdin?.end('done\n');
    };
}
/** Starts `command` with `args` (see the module comment for what is promised). */
function startProcess(command, args, options = {}) {
    const keep = options.keep ?? 'all';
    const child = (0,external_node_child_process_namespaceObject.spawn)(command, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: GROUPS,
        windowsHide: true,
    });
    const pid = child.pid;
    const dismissWatchdog = pid !== undefined && GROUPS ? startWatchdog(pid) : () => undefined;
    if (pid !== undefined)
        track(child);
    const result = new Promise((resolve) => {
        let output = '';
        let timedOut = false;
        let settled = false;
        const pending = { stdout: '', stderr: '' };
        const collect = (stream) => (chunk) => {
            const text = chunk.toString('utf8');
            if (keep === 'all' || (keep === 'stdout' && stream === 'stdout'))
                output = (output + text).slice(-KEPT_BYTES);
            if (!options.onLine)
                return;
            const lines = (pending[stream] + text).split(/\r?\n/);
            pending[stream] = lines.pop() ?? '';
            for (const line of lines)
                if (line.trim())
                    options.onLine(line, stream);
        };
        child.stdout?.on('data', collect('stdout'));
        child.stderr?.on('data', collect('stderr'));
        const timer = options.timeoutMs !== undefined
            ? setTimeout(() => {
                timedOut = true;
                signalGroup(child, 'SIGKILL');
            }, options.timeoutMs)
            : undefined;
        const finish = (exit) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            running.delete(child);
            dismissWatchdog();
            if (options.onLine) {
                for (const stream of ['stdout', 'stderr'])
                    if (pending[stream].trim())
                        options.onLine(pending[stream], stream);
            }
            resolve({ ...exit, output, timedOut });
        };
        child.once('error', (error) => {
            if (child.pid === undefined)
                finish({ exitCode: null, signal: null, spawnError: error });
        });
        child.once('exit', (exitCode, signal) => {
            // Whatever the program left behind in its group ends with it; what it printed is still read.
            signalGroup(child, 'SIGKILL');
            let closed = false;
            const drained = setTimeout(() => {
                if (closed)
                    return;
                child.stdout?.destroy();
                child.stderr?.destroy();
                finish({ exitCode, signal });
            }, PIPE_DRAIN_MS);
            child.once('close', () => {
                closed = true;
                clearTimeout(drained);
                finish({ exitCode, signal });
            });
        });
    });
    return { pid, signal: (signal) => signalGroup(child, signal), result };
}
/** Runs `command` to its end; never rejects (a failed start is `spawnError`). */
function runProcess(command, args, options = {}) {
    return startProcess(command, args, options).result;
}


/***/ }),

/***/ 9316:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bt: () => (/* binding */ runK6)
/* harmony export */ });
/* unused harmony exports CANCEL_GRACE_MS, buildK6Args */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(5625);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(6264);
/* harmony import */ var _exit_codes_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9630);
/* harmony import */ var _environment_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(4976);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(817);
/* harmony import */ var _files_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(7998);
/* harmony import */ var _process_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(3330);
// Starts k6 for one scenario and waits for it: argument array (never a shell), output streamed to
// the log and saved to a file with secrets removed, a time limit enforced with SIGINT then SIGKILL.










/**
 * k6 writes its summary within milliseconds of a SIGINT unless teardown() is slow; 4 s leaves the
 * rest of GitHub's ~7 s cancel budget for writing the reports.
 */
const CANCEL_GRACE_MS = 4000;
function buildK6Args(options, summaryPath) {
    const trendStats = (options.trendStats ?? _summary_js__WEBPACK_IMPORTED_MODULE_6__/* .SUMMARY_TREND_STATS */ .$8).join(',');
    const args = ['run', '--summary-export', summaryPath, '--summary-trend-stats', trendStats, '--no-color', '--quiet'];
    if (options.rawOutput)
        args.push('--out', `json=${node_path__WEBPACK_IMPORTED_MODULE_2___default().join(options.resultsDir, options.rawOutput)}`);
    if (options.liveOutput)
        args.push('--out', `json=${options.liveOutput}`);
    args.push(...options.args, options.script);
    return args;
}
async function runK6(options) {
    const names = (0,_files_js__WEBPACK_IMPORTED_MODULE_8__/* .k6FileNames */ .q)(options.scenario);
    const files = {
        summary: node_path__WEBPACK_IMPORTED_MODULE_2___default().join(options.resultsDir, names.summary),
        log: node_path__WEBPACK_IMPORTED_MODULE_2___default().join(options.resultsDir, names.log),
        html: options.htmlReport ? node_path__WEBPACK_IMPORTED_MODULE_2___default().join(options.resultsDir, names.html) : undefined,
        raw: options.rawOutput ? node_path__WEBPACK_IMPORTED_MODULE_2___default().join(options.resultsDir, options.rawOutput) : undefined,
    };
    const env = runEnvironment(options, files.html);
    // Files left by an earlier run in the same results dir would otherwise be read as this run's
    // numbers when k6 fails before writing its own.
    await Promise.all([files.summary, files.html, files.raw, options.liveOutput].map((file) => file ? (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(file, { force: true }).catch(() => undefined) : undefined));
    const args = buildK6Args(options, files.summary);
    const logFile = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createWriteStream)(files.log, { flags: 'w' });
    // A full disk must not end k6-gate: the log line is on the job log anyway.
    logFile.once('error', (error) => options.log.warning(`k6-gate: could not write ${names.log}: ${error.message}`));
    const started = Date.now();
    options.log.info(`$ k6 ${args.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
    // Its own process group (see process.ts): a terminal's Ctrl-C reaches k6-gate only, which
    // forwards one SIGINT (a second SIGINT would make k6 abort without writing its summary).
    const k6 = (0,_process_js__WEBPACK_IMPORTED_MODULE_7__/* .startProcess */ .kp)(options.k6Path, args, {
        env,
        cwd: options.cwd,
        keep: 'none',
        onLine: (line) => {
            const clean = (0,_log_js__WEBPACK_IMPORTED_MODULE_3__/* .redact */ .E$)(line, options.secrets);
            logFile.write(`${clean}\n`);
            options.log.info(clean);
        },
    });
    if (k6.pid !== undefined)
        options.onSpawn?.(k6.pid);
    const stops = watchStops(k6, options);
    const exit = await k6.result;
    stops.dispose();
    const result = resultOf(exit, stops.state, options, files, Date.now() - started);
    await new Promise((done) => logFile.end(() => done()));
    if (files.html && !(await nonEmpty(files.html))) {
        const why = result.exitCode === 0 || result.exitCode === 99
            ? 'k6 skips it when the run is too short to collect data'
            : `k6 stopped before it wrote one: ${result.meaning}`;
        options.log.warning(`k6 wrote no HTML report for ${options.scenario} (${why})`);
        result.files.html = undefined;
    }
    if (files.raw && !(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(files.raw))
        result.files.raw = undefined;
    return result;
}
/** k6's environment: the allow-listed part of the base one, the script's variables, the HTML export. */
function runEnvironment(options, html) {
    const env = (0,_environment_js__WEBPACK_IMPORTED_MODULE_5__/* .k6Environment */ .H)(options.baseEnv ?? process.env, { ...options.env, K6_NO_USAGE_REPORT: 'true' });
    if (html) {
        env.K6_WEB_DASHBOARD = 'true';
        env.K6_WEB_DASHBOARD_EXPORT = html;
        // No dashboard server (parallel jobs would fight over port 5665); export only.
        env.K6_WEB_DASHBOARD_PORT ??= '-1';
        // The default 10 s period gives short runs no data points, and k6 then skips the report.
        env.K6_WEB_DASHBOARD_PERIOD ??= '1s';
    }
    return env;
}
/**
 * The three ways k6-gate stops a running k6: a stop request (Ctrl-C, job cancel; a second one
 * kills), a planned stop, and the time limit. Each sends SIGINT, then SIGKILL after its grace.
 */
function watchStops(k6, options) {
    const state = { timedOut: false };
    let killTimer;
    let limitTimer;
    /** SIGINT now, SIGKILL once `grace` has passed; a second call only says so once. */
    const stopWithGrace = (grace) => {
        k6.signal('SIGINT');
        clearTimeout(killTimer);
        killTimer = setTimeout(() => {
            options.log.warning('k6 did not stop within the grace period: killing it (SIGKILL)');
            k6.signal('SIGKILL');
        }, grace);
    };
    const stop = (signal, forced) => {
        if (forced) {
            options.log.warning(`k6-gate got a second stop signal: killing k6 (SIGKILL)`);
            clearTimeout(killTimer);
            k6.signal('SIGKILL');
            return;
        }
        state.cancelled = signal;
        const grace = options.cancelGraceMs ?? CANCEL_GRACE_MS;
        options.log.warning(`k6-gate got ${signal}: stopping k6 (SIGINT) and waiting up to ${(0,_format_js__WEBPACK_IMPORTED_MODULE_9__/* .formatDuration */ .a3)(grace)} for its partial summary; a second signal stops at once`);
        clearTimeout(limitTimer);
        stopWithGrace(grace);
    };
    const stopListening = options.cancellation?.onRequest(stop);
    const plannedStop = () => {
        if (state.cancelled || state.stoppedBy)
            return;
        state.stoppedBy = options.plannedStop.reason;
        options.log.info(`stopping k6 (SIGINT): ${state.stoppedBy}`);
        stopWithGrace(options.cancelGraceMs ?? CANCEL_GRACE_MS);
    };
    if (options.plannedStop?.signal.aborted)
        plannedStop();
    else
        options.plannedStop?.signal.addEventListener('abort', plannedStop, { once: true });
    // A stop asked for while k6 was being started.
    if (options.cancellation?.signal)
        stop(options.cancellation.signal, options.cancellation.forced);
    if (options.timeoutMs !== undefined && !state.cancelled) {
        limitTimer = setTimeout(() => {
            state.timedOut = true;
            const grace = options.graceMs ?? 30_000;
            options.log.warning(`k6 ran past the time limit of ${(0,_format_js__WEBPACK_IMPORTED_MODULE_9__/* .formatDuration */ .a3)(options.timeoutMs)}: stopping it (SIGINT), killing it in ${(0,_format_js__WEBPACK_IMPORTED_MODULE_9__/* .formatDuration */ .a3)(grace)} if it does not stop`);
            stopWithGrace(grace);
        }, options.timeoutMs);
    }
    const dispose = () => {
        stopListening?.();
        options.plannedStop?.signal.removeEventListener('abort', plannedStop);
        clearTimeout(limitTimer);
        clearTimeout(killTimer);
    };
    return { state, dispose };
}
/** k6's exit in words and as an outcome; a stop by k6-gate says which one it was. */
function resultOf(exit, { timedOut, cancelled, stoppedBy }, options, files, wallMs) {
    if (exit.spawnError) {
        const spawnError = exit.spawnError.code === 'ENOENT'
            ? `k6 not found at ${options.k6Path}`
            : `could not start k6 (${options.k6Path}): ${exit.spawnError.message}`;
        return { exitCode: null, signal: null, outcome: 'error', meaning: spawnError, timedOut, wallMs, files, spawnError };
    }
    const classified = (0,_exit_codes_js__WEBPACK_IMPORTED_MODULE_4__/* .classifyExit */ .X)(exit.exitCode, exit.signal);
    const meaning = cancelled
        ? `k6 was stopped because k6-gate received ${cancelled} (${classified.meaning})`
        : timedOut
            ? `k6 was stopped at the time limit of ${(0,_format_js__WEBPACK_IMPORTED_MODULE_9__/* .formatDuration */ .a3)(options.timeoutMs)} (${classified.meaning})`
            : classified.meaning;
    const outcome = timedOut || cancelled ? 'error' : classified.outcome;
    return {
        exitCode: exit.exitCode,
        signal: exit.signal,
        outcome,
        meaning: stoppedBy && !cancelled && !timedOut ? `k6 was stopped: ${stoppedBy} (${classified.meaning})` : meaning,
        timedOut,
        wallMs,
        files,
        ...(cancelled ? { cancelled } : {}),
        ...(stoppedBy ? { stoppedBy } : {}),
    };
}
async function nonEmpty(file) {
    try {
        return (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(file)).size > 0;
    }
    catch {
        return false;
    }
}


/***/ }),

/***/ 817:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $8: () => (/* binding */ SUMMARY_TREND_STATS),
/* harmony export */   BV: () => (/* binding */ readStat),
/* harmony export */   JC: () => (/* binding */ summaryTrendStats),
/* harmony export */   W6: () => (/* binding */ parseSummary),
/* harmony export */   a: () => (/* binding */ noteK6Version),
/* harmony export */   jE: () => (/* binding */ legacySummaryExportText),
/* harmony export */   yh: () => (/* binding */ K6_STAT_PATTERN)
/* harmony export */ });
/* unused harmony exports SummaryParseError, inferLegacyType, toLegacySummaryExport, K6_GATE_NOTE */
/* harmony import */ var _json_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(8301);
/* harmony import */ var _metric_kind_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(694);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3916);
// Reads k6's end-of-test summary files into one RunSummary.
//
// Two formats exist:
// - the legacy `--summary-export` (k6 v0.x to v2.x): metrics flattened, no type field, a rate's
//   `rate` renamed `value`, and in `thresholds` the value `true` means the threshold FAILED;
// - the machine-readable summary (`--new-machine-readable-summary`, schema version "1.0.0"):
//   metrics as an array with type and unit, trend keys `p90`/`p95`, `checks_succeeded` instead of
//   `checks`, and no thresholds.



class SummaryParseError extends _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ExpectedError */ .Dh {
    constructor(message, options) {
        super(message, options);
        this.name = 'SummaryParseError';
    }
}
/** The trend stats k6 is always asked for (`--summary-trend-stats`; summaryTrendStats adds the watched percentiles). */
const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
/**
 * The trend stats to ask k6 for: SUMMARY_TREND_STATS and every other percentile the rules watch
 * (`p(99.9)`), so that a watched stat is measured rather than reported missing.
 */
function summaryTrendStats(watchedStats) {
    const extra = [...watchedStats].filter((stat) => /^p\(\d+(\.\d+)?\)$/.test(stat) && !SUMMARY_TREND_STATS.includes(stat));
    return [...SUMMARY_TREND_STATS, ...new Set(extra)];
}
/** A stat name as k6's legacy summary export keys it (what rules and baseline files may name). */
const K6_STAT_PATTERN = /^(avg|min|med|max|rate|count|value|passes|fails|p\(\d+(\.\d+)?\))$/;
/** Parses summary text (either format). `source` names the file in error messages. */
function parseSummary(text, source = 'summary') {
    if (text.trim() === '') {
        throw new SummaryParseError(`${source} is empty: k6 wrote no summary (did the run stop before the end of the test?)`);
    }
    let data;
    try {
        data = JSON.parse(text);
    }
    catch (error) {
        throw new SummaryParseError(`${source} is not JSON (${error.message}); expected k6's --summary-export output, starting with: ${JSON.stringify(text.slice(0, 60))}`, { cause: error });
    }
    if (!(0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data)) {
        throw new SummaryParseError(`${source} holds ${Array.isArray(data) ? 'an array' : typeof data}; expected a JSON object with "metrics"`);
    }
    if (typeof data.version === 'string' && (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data.results)) {
        return parseMachineReadable(data, source);
    }
    if ((0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data.metrics)) {
        return parseLegacy(data, source);
    }
    throw new SummaryParseError(`${source} is not a k6 summary: expected an object with "metrics" (legacy --summary-export) or "version" and "results" (machine-readable summary)`);
}
/**
 * The legacy export has no type field, so the type is told by which keys are present
 * (metric-kind.ts legacyTypeFromStats); keys that match no type are an error here.
 */
function inferLegacyType(name, values) {
    const type = (0,_metric_kind_js__WEBPACK_IMPORTED_MODULE_0__/* .legacyTypeFromStats */ .t0)(values);
    if (type)
        return type;
    const keys = Object.keys(values).filter((key) => key !== 'thresholds');
    throw new SummaryParseError(`metric "${name}" has keys ${JSON.stringify(keys)}, which match no k6 metric type`);
}
function numericEntries(values, metric, source) {
    const out = {};
    for (const [key, value] of Object.entries(values)) {
        if (key === 'thresholds')
            continue;
        if (typeof value === 'number') {
            out[key] = value;
        }
        else if (value === null) {
            // k6 writes null for stats it could not compute (e.g. NaN); a missing stat is handled downstream.
            continue;
        }
        else {
            throw new SummaryParseError(`${source}: metrics.${metric}.${key} is ${JSON.stringify(value)}; expected a number`);
        }
    }
    return out;
}
/** The `{"k6_gate": {"types": {name: {type, contains}}}}` note of an export k6-gate wrote; malformed entries are ignored. */
function notedTypes(data) {
    const note = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data[K6_GATE_NOTE]) ? data[K6_GATE_NOTE] : undefined;
    const out = {};
    for (const [name, raw] of Object.entries((0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(note?.types) ? note.types : {})) {
        if ((0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(raw) && _metric_kind_js__WEBPACK_IMPORTED_MODULE_0__/* .METRIC_TYPES */ .zm.includes(raw.type) && _metric_kind_js__WEBPACK_IMPORTED_MODULE_0__/* .METRIC_CONTAINS */ .rE.includes(raw.contains)) {
            out[name] = { type: raw.type, contains: raw.contains };
        }
    }
    return out;
}
function parseLegacy(data, source) {
    const metrics = {};
    const knownTypes = notedTypes(data);
    const thresholds = [];
    for (const [name, raw] of Object.entries(data.metrics)) {
        if (!(0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(raw)) {
            throw new SummaryParseError(`${source}: metrics.${name} is ${JSON.stringify(raw)}; expected an object of stats`);
        }
        // A legacy export that k6-gate wrote itself (a merge, a load_performance copy) notes the types k6 gave.
        const known = knownTypes[name];
        const type = known?.type ?? inferLegacyType(name, raw);
        const values = numericEntries(raw, name, source);
        if (type === 'rate' && 'value' in values) {
            // The legacy export renames a rate's `rate` to `value`; keep one name downstream.
            values.rate = values.value;
            delete values.value;
        }
        metrics[name] = known
            ? { name, type, contains: known.contains, values, typeFrom: 'k6' }
            : { name, type, contains: (0,_metric_kind_js__WEBPACK_IMPORTED_MODULE_0__/* .guessContains */ .V9)(name, type), values, typeFrom: 'guess' };
        if (raw.thresholds !== undefined) {
            if (!(0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(raw.thresholds)) {
                throw new SummaryParseError(`${source}: metrics.${name}.thresholds is not an object`);
            }
            for (const [expression, failed] of Object.entries(raw.thresholds)) {
                // In the legacy export, `true` means the threshold was CROSSED (failed).
                const crossed = typeof failed === 'boolean' ? failed : (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(failed) ? failed.ok === false : undefined;
                if (crossed === undefined) {
                    throw new SummaryParseError(`${source}: metrics.${name}.thresholds["${expression}"] is ${JSON.stringify(failed)}; expected true (failed) or false (passed)`);
                }
                thresholds.push({ metric: name, expression, ok: !crossed });
            }
        }
    }
    const checks = [];
    if ((0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data.root_group))
        collectLegacyChecks(data.root_group, checks);
    const state = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data.state) ? data.state : undefined;
    const noted = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data[K6_GATE_NOTE]) ? data[K6_GATE_NOTE] : undefined;
    return {
        format: 'legacy',
        metrics,
        thresholds,
        checks,
        k6Version: typeof noted?.k6Version === 'string' ? noted.k6Version : undefined,
        durationMs: typeof state?.testRunDurationMs === 'number' ? state.testRunDurationMs : undefined,
    };
}
function collectLegacyChecks(group, out) {
    const checks = group.checks;
    // Exports have written checks both as an object keyed by name and as an array.
    const list = Array.isArray(checks) ? checks : (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(checks) ? Object.values(checks) : [];
    for (const check of list) {
        if ((0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(check) && typeof check.name === 'string') {
            out.push({
                name: check.name,
                path: typeof check.path === 'string' ? check.path : undefined,
                passes: Number(check.passes ?? 0),
                fails: Number(check.fails ?? 0),
            });
        }
    }
    const groups = group.groups;
    const children = Array.isArray(groups) ? groups : (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(groups) ? Object.values(groups) : [];
    for (const child of children)
        if ((0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(child))
            collectLegacyChecks(child, out);
}
/**
 * A RunSummary in k6's legacy `--summary-export` layout: the one writer of that format, beside its
 * parser (`parseSummary(legacySummaryExportText(x))` gives `x` back, the format aside). Used for a
 * merged sharded run's summary file and for GitLab's load_performance report when k6 wrote no legacy
 * export. Layout as k6 writes it: flattened metrics, a rate's `rate` named `value`, `true` in
 * `thresholds` = crossed, checks keyed in `root_group.checks` (by path, so equal names in two groups
 * stay apart), `groups` an object; `state.testRunDurationMs` when the duration is known.
 */
function toLegacySummaryExport(summary) {
    const metrics = {};
    for (const [name, metric] of Object.entries(summary.metrics)) {
        const values = {};
        for (const [key, value] of Object.entries(metric.values))
            values[metric.type === 'rate' && key === 'rate' ? 'value' : key] = value;
        metrics[name] = values;
    }
    for (const threshold of summary.thresholds) {
        const target = (metrics[threshold.metric] ??= {});
        (target.thresholds ??= {})[threshold.expression] = !threshold.ok;
    }
    const checks = {};
    for (const check of summary.checks) {
        const checkPath = check.path ?? `::${check.name}`;
        checks[checkPath] = { name: check.name, path: checkPath, id: '', passes: check.passes, fails: check.fails };
    }
    // The legacy layout cannot say a metric's type (a counter without `rate` reads as a trend): note the
    // types k6 itself gave, so that they survive the round trip; guessed ones are guessed again.
    const types = {};
    for (const [name, metric] of Object.entries(summary.metrics))
        if (metric.typeFrom === 'k6')
            types[name] = { type: metric.type, contains: metric.contains };
    const note = {};
    if (Object.keys(types).length > 0)
        note.types = types;
    if (summary.k6Version)
        note.k6Version = summary.k6Version;
    const exported = { root_group: { name: '', path: '', id: '', groups: {}, checks }, metrics };
    if (Object.keys(note).length > 0)
        exported[K6_GATE_NOTE] = note;
    if (summary.durationMs !== undefined)
        exported.state = { testRunDurationMs: summary.durationMs };
    return exported;
}
/** toLegacySummaryExport as the file's text. */
function legacySummaryExportText(summary) {
    return `${JSON.stringify(toLegacySummaryExport(summary), null, 2)}\n`;
}
/** Machine-readable trend keys (`p95`, `p99.9`) in the legacy spelling (`p(95)`, `p(99.9)`). */
function legacyStatName(key) {
    const match = /^p(\d+(?:\.\d+)?)$/.exec(key);
    return match ? `p(${match[1]})` : key;
}
function parseMachineReadable(data, source) {
    if (!String(data.version).startsWith('1.')) {
        throw new SummaryParseError(`${source}: machine-readable summary version ${JSON.stringify(data.version)} is not supported; expected "1.x"`);
    }
    const results = data.results;
    const metrics = {};
    const addMetric = (raw, where) => {
        if (!(0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(raw) || typeof raw.name !== 'string' || !(0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(raw.values)) {
            throw new SummaryParseError(`${source}: ${where} is not a metric; expected {name, type, values}`);
        }
        const type = raw.type;
        if (!['trend', 'rate', 'counter', 'gauge'].includes(type)) {
            throw new SummaryParseError(`${source}: ${where} (${raw.name}) has type ${JSON.stringify(raw.type)}; expected trend, rate, counter or gauge`);
        }
        const values = {};
        for (const [key, value] of Object.entries(numericEntries(raw.values, raw.name, source))) {
            values[legacyStatName(key)] = value;
        }
        if (type === 'rate' && 'matches' in values) {
            values.passes = values.matches;
            values.fails = (values.total ?? 0) - values.matches;
        }
        const contains = ['time', 'data', 'default'].includes(raw.contains)
            ? raw.contains
            : (0,_metric_kind_js__WEBPACK_IMPORTED_MODULE_0__/* .guessContains */ .V9)(raw.name, type);
        metrics[raw.name] = { name: raw.name, type, contains, values, typeFrom: 'k6' };
    };
    const list = Array.isArray(results.metrics) ? results.metrics : [];
    list.forEach((raw, index) => addMetric(raw, `results.metrics[${index}]`));
    const checks = [];
    if ((0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(results.checks)) {
        const checkMetrics = Array.isArray(results.checks.metrics) ? results.checks.metrics : [];
        checkMetrics.forEach((raw, index) => addMetric(raw, `results.checks.metrics[${index}]`));
        const checkList = Array.isArray(results.checks.results) ? results.checks.results : [];
        for (const check of checkList) {
            if ((0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(check) && typeof check.name === 'string') {
                checks.push({ name: check.name, passes: Number(check.passes ?? 0), fails: Number(check.fails ?? 0) });
            }
        }
    }
    // The legacy name `checks` is what users and baselines watch; give it the succeeded rate.
    const succeeded = metrics.checks_succeeded;
    if (succeeded && !metrics.checks) {
        metrics.checks = { ...succeeded, name: 'checks', values: { ...succeeded.values } };
    }
    const config = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data.config) ? data.config : {};
    const metadata = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data.metadata) ? data.metadata : {};
    return {
        format: 'machine-readable',
        metrics,
        thresholds: [],
        checks,
        k6Version: typeof metadata.k6_version === 'string' ? metadata.k6_version : undefined,
        durationMs: typeof config.duration === 'number' ? config.duration * 1000 : undefined,
    };
}
/**
 * The field k6-gate adds to a shard's copy of the legacy export: the k6 version that measured it
 * (the export itself does not say), so that the merge job records the real version in the baseline.
 */
const K6_GATE_NOTE = 'k6_gate';
/** A legacy export's text with `{"k6_gate": {"k6Version": …}}` added; text that is not a JSON object is returned as is. */
function noteK6Version(text, k6Version) {
    try {
        const data = JSON.parse(text);
        if (!(0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data))
            return text;
        const note = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .isObject */ .G)(data[K6_GATE_NOTE]) ? data[K6_GATE_NOTE] : {};
        return `${JSON.stringify({ ...data, [K6_GATE_NOTE]: { ...note, k6Version } }, null, 2)}\n`;
    }
    catch {
        return text;
    }
}
/** Reads one stat of one metric, or undefined when the summary does not have it. */
function readStat(summary, metric, stat) {
    const values = summary.metrics[metric]?.values;
    if (!values)
        return undefined;
    const value = values[stat] ?? (stat === 'rate' ? values.value : undefined);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}


/***/ }),

/***/ 5625:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E$: () => (/* binding */ redact),
/* harmony export */   KL: () => (/* binding */ redactDeep),
/* harmony export */   OE: () => (/* binding */ sayingWarningsOnce),
/* harmony export */   nH: () => (/* binding */ createTerminalLogger),
/* harmony export */   vb: () => (/* binding */ MIN_SECRET_LENGTH)
/* harmony export */ });
/* unused harmony export secretForms */
/** Shorter values are too common to mask (and a mask of "a" would garble every line); inputs refuse them. */
const MIN_SECRET_LENGTH = 3;
/** Lines of a multi-line secret (a PEM key, a JSON blob) shorter than this are structure, not secret. */
const MIN_SECRET_LINE_LENGTH = 8;
/**
 * Every form a secret can take in output: raw; escaped as in a JSON or Go-quoted string (k6's log
 * writes `pa\"ss\\word`, `…\nMIIE…`), and escaped twice (a JSON file quoting such a log line);
 * URL-encoded; base64 (an Authorization header); and each line of a multi-line value on its own,
 * since logs are read line by line. Longest first, so a longer form is masked before its parts.
 */
function secretForms(secret) {
    if (secret.length < MIN_SECRET_LENGTH)
        return [];
    const known = formsCache.get(secret);
    if (known)
        return known;
    const forms = new Set([secret]);
    const escaped = JSON.stringify(secret).slice(1, -1);
    forms.add(escaped);
    forms.add(JSON.stringify(escaped).slice(1, -1));
    forms.add(encodeURIComponent(secret));
    forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
    for (const encoded of base64Forms(secret))
        forms.add(encoded);
    for (const line of secret.split(/\r?\n/)) {
        const trimmed = line.trim();
        if (trimmed.length >= MIN_SECRET_LINE_LENGTH && trimmed !== secret) {
            forms.add(trimmed);
            forms.add(JSON.stringify(trimmed).slice(1, -1));
        }
    }
    const sorted = [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    formsCache.set(secret, sorted);
    return sorted;
}
const formsCache = new Map();
let lastSecrets = '';
let lastForms = [];
/** Every form of every secret, longest first; remembered for the last secret list (one per run). */
function allForms(secrets) {
    const key = secrets.join('\u0000');
    if (key !== lastSecrets) {
        lastSecrets = key;
        lastForms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
    }
    return lastForms;
}
/**
 * The secret's base64, alone and embedded in a longer value (`Basic base64(user:secret)`): for each
 * of the three byte offsets the secret can start at, the run of base64 characters that depends on
 * the secret's bytes only. At most two bytes at either end stay unmasked.
 */
function base64Forms(secret) {
    const bytes = Buffer.from(secret, 'utf8');
    const out = [];
    const whole = bytes.toString('base64');
    out.push(whole, whole.replace(/=+$/, ''));
    for (let offset = 0; offset < 3; offset++) {
        const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
        const inner = encoded.slice(offset === 0 ? 0 : 4, Math.floor((offset + bytes.length) / 3) * 4);
        if (inner.length >= MIN_SECRET_LINE_LENGTH)
            out.push(inner);
    }
    return out;
}
/** Replaces every registered secret, in every form of secretForms, in `text` with `***`. */
function redact(text, secrets) {
    let out = text;
    for (const form of allForms(secrets)) {
        if (out.includes(form))
            out = out.split(form).join('***');
    }
    return out;
}
/** `value` with every string in it redacted (objects and arrays copied), for results that become files and comments. */
function redactDeep(value, secrets) {
    if (secrets.length === 0)
        return value;
    const walk = (v) => {
        if (typeof v === 'string')
            return redact(v, secrets);
        if (Array.isArray(v))
            return v.map(walk);
        if (typeof v === 'object' && v !== null)
            return Object.fromEntries(Object.entries(v).map(([k, inner]) => [walk(k), walk(inner)]));
        return v;
    };
    return walk(value);
}
/**
 * The same logger, saying each warning once: the k6 runs of one verdict (A/B rounds, confirmation
 * reruns) meet the same load-generator problem each time, and on GitHub every warning line is an
 * annotation of its own.
 */
function sayingWarningsOnce(log) {
    const said = new Set();
    return {
        info: (message) => log.info(message),
        error: (message) => log.error(message),
        debug: (message) => log.debug(message),
        group: (title, fn) => log.group(title, fn),
        addSecret: (value) => log.addSecret(value),
        warning: (message) => {
            if (said.has(message))
                return;
            said.add(message);
            log.warning(message);
        },
    };
}
/** A logger for terminals and GitLab job logs. */
function createTerminalLogger(options = {}) {
    const secrets = [];
    const write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
    const say = (line) => write(redact(line, secrets));
    let sectionCount = 0;
    return {
        info: (message) => say(message),
        warning: (message) => say(`warning: ${message}`),
        error: (message) => say(`error: ${message}`),
        debug: (message) => {
            if (options.verbose)
                say(`debug: ${message}`);
        },
        addSecret: (value) => {
            if (value && !secrets.includes(value))
                secrets.push(value);
        },
        async group(title, fn) {
            if (options.gitlabSections) {
                const id = `k6_gate_${++sectionCount}`;
                write(`\u001b[0Ksection_start:${Math.floor(Date.now() / 1000)}:${id}[collapsed=true]\r\u001b[0K${redact(title, secrets)}`);
                try {
                    return await fn();
                }
                finally {
                    write(`\u001b[0Ksection_end:${Math.floor(Date.now() / 1000)}:${id}\r\u001b[0K`);
                }
            }
            say(`▶ ${title}`);
            return fn();
        },
    };
}


/***/ }),

/***/ 694:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   V9: () => (/* binding */ guessContains),
/* harmony export */   Xk: () => (/* binding */ typeChangeWarning),
/* harmony export */   _w: () => (/* binding */ inferDirection),
/* harmony export */   oz: () => (/* binding */ describeMetric),
/* harmony export */   rE: () => (/* binding */ METRIC_CONTAINS),
/* harmony export */   t0: () => (/* binding */ legacyTypeFromStats),
/* harmony export */   zm: () => (/* binding */ METRIC_TYPES)
/* harmony export */ });
/* unused harmony exports baseMetricName, guessType, inferUnit */
const METRIC_TYPES = ['trend', 'rate', 'counter', 'gauge'];
const METRIC_CONTAINS = ['time', 'data', 'default'];
/** `http_req_duration{name:login}` → `http_req_duration`. */
function baseMetricName(metric) {
    const brace = metric.indexOf('{');
    return brace === -1 ? metric : metric.slice(0, brace);
}
/** Names that count bad things: more of them is worse whatever the metric type. */
const BAD_THINGS = /(fail|error|err_|_err$|timeout|drop|reject|abort|retr(y|ies)|blocked|lost|denied|5xx|4xx)/i;
/** Type from the stat name when the run does not have the metric (a missing metric). */
function guessType(metric, stat) {
    const base = baseMetricName(metric);
    if (stat === 'count')
        return 'counter';
    if (stat === 'rate') {
        if (base === 'http_reqs' ||
            base === 'iterations' ||
            base.startsWith('data_') ||
            base.endsWith('_reqs') ||
            base.endsWith('_count') ||
            base.endsWith('_total')) {
            return 'counter';
        }
        return 'rate';
    }
    if (stat === 'value')
        return 'gauge';
    return 'trend';
}
/**
 * Lower is better for times, sizes of delays, and anything counting failures; higher is better for
 * success rates (`checks`) and throughput (`http_reqs`, `iterations` rates). A rule can override.
 */
function inferDirection(metric, stat, type = guessType(metric, stat)) {
    const base = baseMetricName(metric);
    if (BAD_THINGS.test(base))
        return 'lower-is-better';
    if (type === 'rate')
        return 'higher-is-better';
    if (type === 'counter')
        return 'higher-is-better';
    return 'lower-is-better';
}
function inferUnit(metric, stat, type, contains) {
    // A Trend's `count` counts samples: a number of requests, never milliseconds.
    if (type === 'trend' && stat === 'count')
        return 'count';
    if (type === 'rate')
        return stat === 'passes' || stat === 'fails' ? 'count' : 'ratio';
    if (type === 'counter') {
        if (stat === 'rate')
            return 'per-second';
        return contains === 'data' ? 'bytes' : 'count';
    }
    if (contains === 'time')
        return 'ms';
    if (contains === 'data')
        return 'bytes';
    return 'none';
}
/** A Trend's `count`: an older baseline may have recorded it in the trend's own unit (ms); it is a count. */
function countsSamples(type, stat) {
    return type === 'trend' && stat === 'count';
}
/**
 * Unit and type of a watched metric. The run's type wins: k6 says it, or (legacy export) it follows
 * from the stats present, which tell the four types apart (see inferLegacyType). Whether a trend
 * holds times is only guessed from a legacy export, so there the unit the baseline recorded for the
 * same type wins: a later run cannot silently change it. Without the metric in the run, the
 * recorded type and unit are used, else a guess from the names.
 */
function describeMetric(metric, stat, summary, recorded) {
    if (summary) {
        const unit = inferUnit(metric, stat, summary.type, summary.contains);
        const keepRecorded = summary.typeFrom === 'guess' && recorded?.unit !== undefined && recorded.type === summary.type && !countsSamples(summary.type, stat);
        return { type: summary.type, unit: keepRecorded ? recorded.unit : unit };
    }
    if (recorded?.type !== undefined) {
        const unit = countsSamples(recorded.type, stat) ? undefined : recorded.unit;
        return { type: recorded.type, unit: unit ?? inferUnit(metric, stat, recorded.type, guessContains(metric, recorded.type)) };
    }
    const type = guessType(metric, stat);
    return { type, unit: recorded?.unit ?? inferUnit(metric, stat, type, guessContains(metric, type)) };
}
/**
 * A sentence when the run's metric is of another type than the baseline recorded (a script turned
 * a Trend into a Counter), or — when k6 itself says so — of another unit (`Trend(name, true)` lost
 * its `true`): the numbers are then not comparable, and the reader must know. A legacy export's
 * unit is a guess and never raises it. Undefined when nothing changed.
 */
function typeChangeWarning(key, metric, stat, summary, recorded) {
    if (!summary || !recorded)
        return undefined;
    const now = describeMetric(metric, stat, summary, undefined);
    const changes = [];
    if (recorded.type !== undefined && recorded.type !== now.type)
        changes.push(`type ${recorded.type} → ${now.type}`);
    else if (summary.typeFrom !== 'guess' && recorded.unit !== undefined && recorded.unit !== now.unit)
        changes.push(`unit ${recorded.unit} → ${now.unit}`);
    if (changes.length === 0)
        return undefined;
    const source = summary.typeFrom === 'guess' ? 'the summary shows' : 'k6 says';
    return `${key}: ${metric} ${stat} changed ${changes.join(', ')} since the baseline was recorded; the values may not be comparable (${source} ${now.type}${summary.contains === 'time' ? ' of times' : ''}; re-record the baseline if the change is intended)`;
}
/** Stats only a trend has (`count` is NOT among them: a Trend carries it when the trend stats ask for it). */
const TREND_ONLY_KEYS = new Set(['avg', 'med']);
/**
 * The legacy export has no type field, so the type is told by which keys are present. Fallback
 * only (docs/baseline.md, "Types and units"): a trend is recognised by its trend stats first, so a
 * trend that also carries `count` (`--summary-trend-stats …,count`) never becomes a counter, whose
 * direction would be "higher is better".
 */
function legacyTypeFromStats(values) {
    const keys = Object.keys(values).filter((key) => key !== 'thresholds');
    if ('passes' in values || 'fails' in values)
        return 'rate';
    if (keys.some((key) => TREND_ONLY_KEYS.has(key) || key.startsWith('p(')))
        return 'trend';
    if ('value' in values)
        return 'gauge';
    // A counter has exactly count and rate; a trend whose only requested stats are min/max/count is
    // a trend all the same (a counter never has min or max).
    if ('min' in values || 'max' in values)
        return 'trend';
    // A counter always has exactly count and rate; `count` alone is a Trend asked only for its count.
    if ('count' in values)
        return 'rate' in values ? 'counter' : 'trend';
    return undefined;
}
/** k6's built-in metrics whose values are times (ms) or data (bytes); custom ones are guessed by name. */
const TIME_METRICS = /^(http_req_(duration|blocked|connecting|tls_handshaking|sending|waiting|receiving)|iteration_duration|group_duration|ws_(connecting|session_duration|ping)|grpc_req_duration|browser_)/;
/** A custom trend whose name has one of these parts (`login_duration`, `poll_time_to_ready`, `ws_echo_round_trip`) holds times. */
const TIME_NAME_PART = /(^|_)(duration|latency|time|ms|rtt|round_trip|ttfb)(_|$)/i;
const DATA_METRICS = /^(data_(sent|received)|ws_msgs_(sent|received)_bytes)/;
function guessContains(metric, type) {
    const base = baseMetricName(metric);
    if (DATA_METRICS.test(base))
        return 'data';
    if (type === 'trend' && (TIME_METRICS.test(base) || TIME_NAME_PART.test(base)))
        return 'time';
    return 'default';
}


/***/ }),

/***/ 7383:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ NOTIFY_ON),
/* harmony export */   l: () => (/* binding */ shouldNotify)
/* harmony export */ });
const NOTIFY_ON = ['regression', 'error', 'always'];
/**
 * `regression`: the gate did not pass (a regression, a crossed threshold, an inconclusive verdict —
 * the gate could not protect this change — or an error); `error`: only errors.
 */
function shouldNotify(on, outcome) {
    if (on === 'always')
        return true;
    if (on === 'error')
        return outcome === 'error';
    return outcome !== 'passed';
}


/***/ }),

/***/ 1745:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  RN: () => (/* binding */ NOTIFY_SINKS),
  H3: () => (/* binding */ findSink),
  Ne: () => (/* binding */ sinkKinds)
});

// EXTERNAL MODULE: ./src/format.ts
var format = __nccwpck_require__(6264);
// EXTERNAL MODULE: ./src/report/headline.ts
var headline = __nccwpck_require__(4512);
// EXTERNAL MODULE: ./src/baseline/compare.ts
var compare = __nccwpck_require__(6228);
// EXTERNAL MODULE: ./src/report/markdown-rows.ts + 1 modules
var markdown_rows = __nccwpck_require__(8822);
;// CONCATENATED MODULE: ./src/notify/sinks/slack.ts
// Slack: an incoming-webhook message with blocks (a header, the counts, a section per scenario, links).




/** Slack mrkdwn needs &, < and > escaped. */
function slackText(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
/** A Slack incoming-webhook message: a header, the counts, one section per scenario, the links. */
function slackMessage(result, commit) {
    const title = (0,headline/* headline */.Pl)(result);
    const facts = [
        `${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s)` +
            (result.inconclusive ? `, ${result.inconclusive} inconclusive scenario(s)` : ''),
        result.failed ? '*the gate fails this job*' : 'the gate passes',
        result.target ? `target \`${slackText(result.target)}\`` : '',
        result.environment ? `environment *${slackText(result.environment)}*` : '',
        commit ? `commit \`${commit.slice(0, 12)}\`` : '',
    ].filter(Boolean);
    const blocks = [
        { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: facts.join(' · ') } },
    ];
    for (const s of result.scenarios.slice(0, 10)) {
        const lines = [`*${slackText(s.scenario)}* — ${s.outcome}`];
        if (s.error)
            lines.push(`> ${slackText(s.error.slice(0, 300))}`);
        else if (s.inconclusive)
            lines.push(`> inconclusive: ${slackText(s.inconclusive.slice(0, 300))}`);
        for (const m of s.metrics.filter(compare/* isRegression */.kj).slice(0, 5)) {
            const duet = (0,markdown_rows/* duetNumbers */.VF)(s, m);
            // A duet measured A and B at the same time: their names, and the change as the decision weighed it.
            const values = duet
                ? `A ${(0,format/* formatValue */.Fl)(m.baseline, m.unit)} → B ${(0,format/* formatValue */.Fl)(m.current, m.unit)}: ${(0,markdown_rows/* duetChangeCell */.XW)(duet)}`
                : `${(0,format/* formatValue */.Fl)(m.baseline, m.unit)} → ${(0,format/* formatValue */.Fl)(m.current, m.unit)} (${(0,format/* formatChange */.eD)(m.change)})`;
            lines.push(`• \`${slackText(m.metric)}\` ${slackText(m.stat)}: ${values}`);
        }
        if (s.duet && s.verdictNote)
            lines.push(slackText(s.verdictNote));
        for (const t of s.thresholds.filter((row) => !row.ok).slice(0, 5))
            lines.push(`• threshold \`${slackText(t.metric)}: ${slackText(t.expression)}\` crossed`);
        const lead = s.analysis?.endpoints[0];
        if (lead)
            lines.push(`slowest endpoint: \`${slackText(lead.endpoint)}\` p(95) ${(0,format/* formatValue */.Fl)(lead.p95, 'ms')}${lead.p95Change !== undefined ? ` (${(0,format/* formatChange */.eD)(lead.p95Change)})` : ''}`);
        for (const w of s.analysis?.loadGenerator?.warnings ?? [])
            lines.push(`⚠️ ${slackText(w)}`);
        blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900) } });
    }
    const links = result.links ?? [];
    if (links.length > 0) {
        blocks.push({
            type: 'context',
            elements: [{ type: 'mrkdwn', text: links.map((l) => `<${l.url}|${slackText(l.label)}>`).join(' · ') }],
        });
    }
    return { text: `${title} — ${facts[0]}`, blocks };
}
const slackSink = { kind: 'slack', url: 'a Slack incoming-webhook URL', body: slackMessage };

;// CONCATENATED MODULE: ./src/notify/sinks/webhook.ts
// The generic JSON webhook: a documented, stable subset of comparison.json (docs/notifications.md).

/** The generic webhook body: a stable subset of comparison.json. */
function webhookPayload(result, commit) {
    return {
        tool: result.tool,
        generatedAt: result.generatedAt,
        outcome: result.outcome,
        failed: result.failed,
        target: result.target,
        environment: result.environment,
        regressions: result.regressions,
        thresholdsFailed: result.thresholdsFailed,
        inconclusive: result.inconclusive ?? 0,
        commit,
        links: result.links ?? [],
        scenarios: result.scenarios.map((s) => ({
            scenario: s.scenario,
            key: s.key,
            outcome: s.outcome,
            error: s.error,
            inconclusive: s.inconclusive,
            regressed: s.metrics
                .filter(compare/* isRegression */.kj)
                .map((m) => ({ metric: m.metric, stat: m.stat, baseline: m.baseline, current: m.current, change: m.change, unit: m.unit })),
            thresholdsCrossed: s.thresholds.filter((t) => !t.ok).map((t) => ({ metric: t.metric, expression: t.expression })),
            endpoints: (s.analysis?.endpoints ?? [])
                .slice(0, 3)
                .map((e) => ({ endpoint: e.endpoint, requests: e.requests, failureRate: e.failureRate, p95: e.p95, p95Change: e.p95Change })),
            loadGeneratorWarnings: s.analysis?.loadGenerator?.warnings ?? [],
        })),
    };
}
const webhookSink = { kind: 'webhook', url: 'an http(s) URL that accepts a JSON POST', body: webhookPayload };

;// CONCATENATED MODULE: ./src/notify/sinks/index.ts


const NOTIFY_SINKS = [slackSink, webhookSink];
/** The sink of a kind, or undefined for a kind no sink has. */
function findSink(kind) {
    return NOTIFY_SINKS.find((sink) => sink.kind === kind);
}
/** The kinds, for messages: "slack or webhook". */
function sinkKinds() {
    const kinds = NOTIFY_SINKS.map((sink) => sink.kind);
    return kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}` : kinds.join('');
}


/***/ }),

/***/ 9128:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   KG: () => (/* binding */ remoteWriteHeaders),
/* harmony export */   Ky: () => (/* binding */ prometheusTarget),
/* harmony export */   L9: () => (/* binding */ liveRemoteWriteSetup),
/* harmony export */   Sk: () => (/* binding */ parseMetricsOutput),
/* harmony export */   UP: () => (/* binding */ newTestId),
/* harmony export */   Um: () => (/* binding */ metricsOutputEnv),
/* harmony export */   j0: () => (/* binding */ gateSeries),
/* harmony export */   qK: () => (/* binding */ remoteWriteTakenBy),
/* harmony export */   sI: () => (/* binding */ metricsOutputArgs)
/* harmony export */ });
/* unused harmony exports PROMETHEUS_TREND_STATS, PROMETHEUS_PUSH_INTERVAL, GATE_SERIES */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3916);
/* harmony import */ var _baseline_compare_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6228);
// The `metrics-output` input: where k6 streams its samples while the gate runs (Prometheus remote
// write, InfluxDB, OpenTelemetry, a JSON file), the labels every series carries, and the few series
// k6-gate itself pushes after the verdict. Pure: text and data in, arguments/env/series out.


/** `prometheus-native` is the prometheus output with Trends as native histograms. */
const KINDS = ['prometheus', 'prometheus-native', 'influxdb', 'otlp', 'json'];
/** Where each output's credentials go instead of the URL (given with `secret-env`). */
const CREDENTIAL_VARIABLES = {
    prometheus: 'K6_PROMETHEUS_RW_USERNAME and K6_PROMETHEUS_RW_PASSWORD, or K6_PROMETHEUS_RW_BEARER_TOKEN',
    influxdb: 'K6_INFLUXDB_USERNAME and K6_INFLUXDB_PASSWORD',
    otlp: 'K6_OTEL_HEADERS',
};
/**
 * Trend stats k6 sends for every Trend with `prometheus=`. Percentiles of one run are what the gate
 * compares; avg, max and count/sum let a dashboard weight and combine series (sum/count is an exact
 * mean across series; per-series p95s are not averaged into a p95). `prometheus-native=` sends native
 * histograms instead, whose percentiles aggregate exactly across runs and runners
 * (histogram_quantile); the receiver must accept them (Prometheus: --enable-feature=native-histograms).
 */
const PROMETHEUS_TREND_STATS = 'p(90),p(95),p(99),avg,max,count,sum';
/** Short runs need short pushes, or a 3 s test sends one batch at the very end. */
const PROMETHEUS_PUSH_INTERVAL = '1s';
/** k6's name for its Prometheus remote-write output. */
const REMOTE_WRITE_OUTPUT = 'experimental-prometheus-rw';
/** `prometheus=https://…/api/v1/write, json=samples.json` (comma or one per line) → outputs. */
function parseMetricsOutput(text) {
    const outputs = [];
    for (const part of (text ?? '')
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean)) {
        const eq = part.indexOf('=');
        const given = eq > 0 ? part.slice(0, eq).trim() : part;
        const target = eq > 0 ? part.slice(eq + 1).trim() : '';
        const example = 'e.g. "prometheus=https://prometheus.example.com/api/v1/write"';
        if (!KINDS.includes(given)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`metrics-output ${JSON.stringify(shorten(part))}: unknown output ${JSON.stringify(given)}; expected one of ${KINDS.join(', ')} as KIND=TARGET, ${example}`);
        }
        const kind = (given === 'prometheus-native' ? 'prometheus' : given);
        if (target === '') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`metrics-output ${JSON.stringify(given)} has no target; expected ${given}=${kind === 'json' ? 'FILE' : 'URL'}, ${example}`);
        }
        if (outputs.some((o) => o.kind === kind)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`metrics-output names ${kind} twice; expected each kind at most once (k6 configures them through one set of variables; prometheus-native is a prometheus output)`);
        }
        if (kind !== 'json')
            checkUrl(kind, target);
        outputs.push(given === 'prometheus-native' ? { kind, target, nativeHistograms: true } : { kind, target });
    }
    return outputs;
}
function checkUrl(kind, target) {
    let url;
    try {
        url = new URL(target);
    }
    catch {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`metrics-output ${kind} target ${JSON.stringify(shorten(target))} is not a URL; expected e.g. "${kind}=http://host:port/…"`);
    }
    const schemes = kind === 'otlp' ? ['http:', 'https:', 'grpc:'] : ['http:', 'https:'];
    if (!schemes.includes(url.protocol)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`metrics-output ${kind} URL uses ${url.protocol}; expected ${schemes.map((s) => s + '//').join(' or ')}`);
    }
    if (url.username || url.password) {
        // The value would reach logs and k6's command line; credentials go by variable name instead.
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL(`metrics-output ${kind} URL carries credentials; expected a URL without user:password and the credentials in secret-env variables (${CREDENTIAL_VARIABLES[kind]})`);
    }
}
/** Bad input as it may be quoted: a password-like `user:…@` part is masked, long text cut. */
function shorten(text) {
    const masked = text.replace(/\/\/([^/@:\s]*):[^/@\s]*@/g, '//$1:***@');
    return masked.length > 60 ? `${masked.slice(0, 57)}...` : masked;
}
/** `20261125T230512Z-3f9a1c`: sortable, and unique enough for runs that start in the same second. */
function newTestId(now, random) {
    return `${now
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')}-${random}`;
}
function labelEntries(labels) {
    return Object.entries(labels).filter((e) => typeof e[1] === 'string' && e[1] !== '');
}
/** k6 arguments for the outputs and the run's labels (placed before the script). */
function metricsOutputArgs(outputs, labels) {
    if (outputs.length === 0)
        return [];
    const args = [];
    for (const output of outputs) {
        if (output.kind === 'prometheus')
            args.push('--out', REMOTE_WRITE_OUTPUT);
        else if (output.kind === 'otlp')
            args.push('--out', 'opentelemetry');
        else
            args.push('--out', `${output.kind}=${output.target}`);
    }
    for (const [name, value] of labelEntries(labels))
        args.push('--tag', `${name}=${value}`);
    return args;
}
/**
 * k6's environment for the outputs: k6-gate's choices, then the user's own `env` (which wins), so
 * e.g. `K6_PROMETHEUS_RW_PUSH_INTERVAL=10s` in `env` replaces the default. Native histograms are a
 * k6 feature flag from k6 2 on (`K6_FEATURES`, merged with the user's) and a variable before.
 */
function metricsOutputEnv(outputs, k6Version, userEnv = {}) {
    const env = {};
    const features = [];
    for (const output of outputs) {
        if (output.kind === 'prometheus') {
            env.K6_PROMETHEUS_RW_SERVER_URL = output.target;
            env.K6_PROMETHEUS_RW_PUSH_INTERVAL = PROMETHEUS_PUSH_INTERVAL;
            if (!output.nativeHistograms)
                env.K6_PROMETHEUS_RW_TREND_STATS = PROMETHEUS_TREND_STATS;
            else if (Number(k6Version.split('.')[0]) >= 2)
                features.push('native-histograms');
            else
                env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM = 'true';
        }
        else if (output.kind === 'otlp') {
            const url = new URL(output.target);
            if (url.protocol === 'grpc:') {
                env.K6_OTEL_EXPORTER_PROTOCOL = 'grpc';
                env.K6_OTEL_GRPC_EXPORTER_ENDPOINT = url.host;
            }
            else {
                env.K6_OTEL_EXPORTER_PROTOCOL = 'http/protobuf';
                env.K6_OTEL_HTTP_EXPORTER_ENDPOINT = url.host;
                env.K6_OTEL_HTTP_EXPORTER_INSECURE = String(url.protocol === 'http:');
                if (url.pathname !== '/')
                    env.K6_OTEL_HTTP_EXPORTER_URL_PATH = url.pathname;
            }
            env.K6_OTEL_METRIC_PREFIX = 'k6_';
        }
    }
    const merged = { ...env, ...userEnv };
    if (features.length > 0) {
        const given = (userEnv.K6_FEATURES ?? '').split(',').map((f) => f.trim());
        merged.K6_FEATURES = [...new Set([...given, ...features])].filter(Boolean).join(',');
    }
    return merged;
}
/** The remote-write URL of the `prometheus` output, if any: k6-gate pushes its verdict there too. */
function prometheusTarget(outputs) {
    return outputs?.find((o) => o.kind === 'prometheus')?.target;
}
/**
 * Headers for k6-gate's own push, from the variables k6's remote-write output reads, so one set of
 * secrets serves both: `K6_PROMETHEUS_RW_HEADERS_<NAME>`, `K6_PROMETHEUS_RW_HTTP_HEADERS`
 * (`name:value,name:value`), and Authorization from the bearer token or, else, user and password.
 */
function remoteWriteHeaders(env) {
    const headers = {};
    const prefix = 'K6_PROMETHEUS_RW_HEADERS_';
    for (const [name, value] of Object.entries(env)) {
        if (name.startsWith(prefix) && name.length > prefix.length && value !== undefined)
            headers[name.slice(prefix.length)] = value;
    }
    for (const pair of (env.K6_PROMETHEUS_RW_HTTP_HEADERS ?? '').split(',')) {
        const parts = pair.split(':');
        if (parts.length === 2 && parts[0].trim() !== '')
            headers[parts[0].trim()] = parts[1].trim();
    }
    if (env.K6_PROMETHEUS_RW_BEARER_TOKEN)
        headers.Authorization = `Bearer ${env.K6_PROMETHEUS_RW_BEARER_TOKEN}`;
    else if (env.K6_PROMETHEUS_RW_USERNAME || env.K6_PROMETHEUS_RW_PASSWORD) {
        const pair = `${env.K6_PROMETHEUS_RW_USERNAME ?? ''}:${env.K6_PROMETHEUS_RW_PASSWORD ?? ''}`;
        headers.Authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    }
    return headers;
}
/** Names of k6-gate's own series (documented in docs/observability.md, drawn by dashboards/k6-gate.json). */
const GATE_SERIES = {
    failed: 'k6gate_gate_failed',
    outcome: 'k6gate_gate_outcome',
    regressions: 'k6gate_regressions',
    thresholdsFailed: 'k6gate_thresholds_failed',
    scenarioOutcome: 'k6gate_scenario_outcome',
    current: 'k6gate_metric_current',
    accepted: 'k6gate_metric_accepted',
    limit: 'k6gate_metric_limit',
    regressed: 'k6gate_metric_regressed',
};
/**
 * k6-gate's verdict as series at one instant: the gate's outcome, each scenario's outcome, and per
 * watched metric its current value, accepted (baseline) value, limit and whether it regressed.
 */
function gateSeries(result, labels, timestampMs) {
    const base = Object.fromEntries(labelEntries(labels));
    const series = [];
    const add = (name, extra, value) => {
        if (value === undefined || !Number.isFinite(value))
            return;
        series.push({ labels: { ...base, ...extra, __name__: name }, samples: [{ value, timestampMs }] });
    };
    add(GATE_SERIES.failed, {}, result.failed ? 1 : 0);
    add(GATE_SERIES.outcome, { outcome: result.outcome }, 1);
    add(GATE_SERIES.regressions, {}, result.regressions);
    add(GATE_SERIES.thresholdsFailed, {}, result.thresholdsFailed);
    for (const scenario of result.scenarios) {
        const s = { gate_scenario: scenario.scenario };
        add(GATE_SERIES.scenarioOutcome, { ...s, outcome: scenario.outcome }, 1);
        for (const row of scenario.metrics) {
            const m = { ...s, metric: row.metric, stat: row.stat, unit: row.unit };
            const limit = row.band ? (row.direction === 'higher-is-better' ? row.band.low : row.band.high) : undefined;
            add(GATE_SERIES.current, m, row.current);
            add(GATE_SERIES.accepted, m, row.baseline);
            add(GATE_SERIES.limit, m, limit);
            add(GATE_SERIES.regressed, m, (0,_baseline_compare_js__WEBPACK_IMPORTED_MODULE_1__/* .isRegression */ .kj)(row) ? 1 : 0);
        }
    }
    return series;
}
/**
 * Why k6's one remote-write output is already taken, if it is: k6-gate's live analysis then reads
 * `--out json` instead (k6 configures remote write through one set of variables, so it cannot
 * push to the user's Prometheus and to k6-gate's receiver in the same run).
 */
function remoteWriteTakenBy(outputs, k6Args, env) {
    if (outputs?.some((o) => o.kind === 'prometheus'))
        return 'metrics-output sends to Prometheus';
    if (k6Args.some((a) => a.includes(REMOTE_WRITE_OUTPUT)) || (env.K6_OUT ?? '').includes(REMOTE_WRITE_OUTPUT)) {
        return 'the k6 arguments already use experimental-prometheus-rw';
    }
    if (env.K6_PROMETHEUS_RW_SERVER_URL)
        return 'K6_PROMETHEUS_RW_SERVER_URL is set';
    return undefined;
}
/** k6 arguments and variables that point its remote-write output at k6-gate's live-analysis receiver. */
function liveRemoteWriteSetup(url, k6Version, env) {
    const own = { kind: 'prometheus', target: url, nativeHistograms: true };
    // The user's K6_FEATURES are kept; the receiver's address and native histograms are not theirs to change.
    const merged = metricsOutputEnv([own], k6Version, { ...(env.K6_FEATURES ? { K6_FEATURES: env.K6_FEATURES } : {}) });
    return { args: ['--out', REMOTE_WRITE_OUTPUT], env: merged };
}


/***/ }),

/***/ 2462:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  MI: () => (/* binding */ REMOTE_WRITE_HEADERS),
  YL: () => (/* reexport */ decodeRemoteWriteBody),
  Mu: () => (/* binding */ remoteWriteBody)
});

// UNUSED EXPORTS: RemoteWriteDecodeError, decodeWriteRequest, encodeWriteRequest, snappyDecode, snappyEncode

;// CONCATENATED MODULE: ./src/observability/remote-write-wire.ts
// The messages of Prometheus remote write 1.0 as k6-gate holds them, and the wire constants that
// the encoder (remote-write.ts) and the decoder (remote-write-decode.ts) share.
/** Protobuf wire types used by remote write. */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
/** The two 32-bit halves of Prometheus' stale-marker NaN, 0x7ff0000000000002. */
const STALE_MARKER_HIGH = 0x7ff00000;
const STALE_MARKER_LOW = 0x00000002;

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
;// CONCATENATED MODULE: ./src/observability/remote-write-decode.ts
// Prometheus remote write 1.0 read off the wire: a snappy block decoder (every element kind) and a
// protobuf decoder of WriteRequest with native histograms. What k6's remote-write output sends to
// k6-gate's own receivers (src/samples/remote-write.ts, src/shard/collector.ts). Pure: bytes in,
// series out; a body that is not snappy(protobuf(WriteRequest)) is a RemoteWriteDecodeError.


/** Thrown for a body that is not snappy(protobuf(WriteRequest)). */
class RemoteWriteDecodeError extends errors/* ExpectedError */.Dh {
    constructor(message) {
        super(message);
        this.name = 'RemoteWriteDecodeError';
    }
}
/** Snappy block format: every element kind (literals and the three copy forms). */
function snappyDecode(input) {
    let pos = 0;
    let length = 0;
    for (let shift = 0;; shift += 7) {
        if (pos >= input.length || shift > 28)
            throw new RemoteWriteDecodeError('snappy: bad length header');
        const b = input[pos++];
        length += (b & 0x7f) * 2 ** shift;
        if (b < 0x80)
            break;
    }
    const out = new Uint8Array(length);
    let o = 0;
    while (pos < input.length) {
        const tag = input[pos++];
        const kind = tag & 3;
        if (kind === 0) {
            let n = tag >> 2;
            if (n >= 60) {
                const bytes = n - 59;
                n = 0;
                for (let i = 0; i < bytes; i++)
                    n += input[pos++] * 2 ** (8 * i);
            }
            n += 1;
            if (pos + n > input.length || o + n > length)
                throw new RemoteWriteDecodeError('snappy: literal runs past the end');
            out.set(input.subarray(pos, pos + n), o);
            pos += n;
            o += n;
            continue;
        }
        let n;
        let offset;
        if (kind === 1) {
            n = ((tag >> 2) & 7) + 4;
            offset = ((tag >> 5) << 8) | input[pos++];
        }
        else if (kind === 2) {
            n = (tag >> 2) + 1;
            offset = input[pos] | (input[pos + 1] << 8);
            pos += 2;
        }
        else {
            n = (tag >> 2) + 1;
            offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16)) + input[pos + 3] * 2 ** 24;
            pos += 4;
        }
        if (offset === 0 || offset > o || o + n > length)
            throw new RemoteWriteDecodeError('snappy: copy outside the output');
        // Copies may overlap their own output (a run): byte by byte.
        for (let i = 0; i < n; i++, o++)
            out[o] = out[o - offset];
    }
    if (o !== length)
        throw new RemoteWriteDecodeError(`snappy: ${o} bytes decoded, header says ${length}`);
    return out;
}
/** One decoder for every label: making one per string cost more than the rest of the decoding. */
const UTF8 = new TextDecoder();
class ProtoReader {
    buf;
    end;
    pos;
    constructor(buf, start = 0, end = buf.length) {
        this.buf = buf;
        this.end = end;
        this.pos = start;
    }
    get done() {
        return this.pos >= this.end;
    }
    varint() {
        let result = 0;
        for (let shift = 0;; shift += 7) {
            if (this.pos >= this.end || shift > 63)
                throw new RemoteWriteDecodeError('protobuf: truncated varint');
            const b = this.buf[this.pos++];
            // Numbers above 2^53 lose precision; counts and timestamps stay far below it.
            result += (b & 0x7f) * 2 ** shift;
            if (b < 0x80)
                return result;
        }
    }
    zigzag() {
        const v = this.varint();
        return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    }
    signedVarint() {
        // int64 negative values are 10-byte two's complement varints.
        const v = this.varint();
        return v >= 2 ** 63 ? v - 2 ** 64 : v;
    }
    double() {
        if (this.pos + 8 > this.end)
            throw new RemoteWriteDecodeError('protobuf: truncated double');
        const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
    }
    /** Whether the double at the read position is the stale-marker NaN (read the value after). */
    isStaleMarker() {
        if (this.pos + 8 > this.end)
            return false;
        const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
        return view.getUint32(4, true) === STALE_MARKER_HIGH && view.getUint32(0, true) === STALE_MARKER_LOW;
    }
    sub() {
        const n = this.varint();
        if (this.pos + n > this.end)
            throw new RemoteWriteDecodeError('protobuf: field runs past its message');
        const r = new ProtoReader(this.buf, this.pos, this.pos + n);
        this.pos += n;
        return r;
    }
    string() {
        const r = this.sub();
        const bytes = this.buf.subarray(r.pos, r.end);
        // Label names and values are short ASCII nearly always: building those directly is several
        // times faster than a TextDecoder call.
        if (bytes.length <= 128) {
            let ascii = true;
            for (let i = 0; i < bytes.length && ascii; i++)
                ascii = bytes[i] < 0x80;
            if (ascii)
                return String.fromCharCode(...bytes);
        }
        return UTF8.decode(bytes);
    }
    skip(wireType) {
        if (wireType === VARINT)
            this.varint();
        else if (wireType === FIXED64)
            this.pos += 8;
        else if (wireType === LENGTH_DELIMITED)
            this.sub();
        else if (wireType === 5)
            this.pos += 4;
        else
            throw new RemoteWriteDecodeError(`protobuf: wire type ${wireType} is not supported`);
    }
    /** Packed or single values of a repeated numeric field. */
    repeated(wireType, read, into) {
        if (wireType === LENGTH_DELIMITED) {
            const r = this.sub();
            while (!r.done)
                into.push(read(r));
        }
        else
            into.push(read(this));
    }
}
function readSpans(r) {
    let offset = 0;
    let length = 0;
    while (!r.done) {
        const key = r.varint();
        const field = Math.floor(key / 8);
        if (field === 1)
            offset = r.zigzag();
        else if (field === 2)
            length = r.varint();
        else
            r.skip(key & 7);
    }
    return { offset, length };
}
/** Spans + deltas (or absolute float counts) → bucket index → count. */
function expandBuckets(spans, deltas, counts) {
    const out = new Map();
    const values = counts.length > 0 ? counts : deltas;
    let index = 0;
    let i = 0;
    let current = 0;
    for (const span of spans) {
        index += span.offset;
        for (let k = 0; k < span.length; k++, index++, i++) {
            if (i >= values.length)
                throw new RemoteWriteDecodeError('native histogram: fewer bucket counts than its spans say');
            current = counts.length > 0 ? values[i] : current + values[i];
            if (current > 0)
                out.set(index, current);
        }
    }
    return out;
}
function readHistogram(r) {
    const h = {
        count: 0,
        sum: 0,
        schema: 0,
        zeroThreshold: 0,
        zeroCount: 0,
        positive: new Map(),
        negative: new Map(),
        timestampMs: 0,
    };
    const posSpans = [];
    const negSpans = [];
    const posDeltas = [];
    const negDeltas = [];
    const posCounts = [];
    const negCounts = [];
    while (!r.done) {
        const key = r.varint();
        const field = Math.floor(key / 8);
        const wire = key & 7;
        switch (field) {
            case 1:
                h.count = r.varint();
                break;
            case 2:
                h.count = r.double();
                break;
            case 3:
                h.sum = r.double();
                break;
            case 4:
                h.schema = r.zigzag();
                break;
            case 5:
                h.zeroThreshold = r.double();
                break;
            case 6:
                h.zeroCount = r.varint();
                break;
            case 7:
                h.zeroCount = r.double();
                break;
            case 8:
                negSpans.push(readSpans(r.sub()));
                break;
            case 9:
                r.repeated(wire, (x) => x.zigzag(), negDeltas);
                break;
            case 10:
                r.repeated(wire, (x) => x.double(), negCounts);
                break;
            case 11:
                posSpans.push(readSpans(r.sub()));
                break;
            case 12:
                r.repeated(wire, (x) => x.zigzag(), posDeltas);
                break;
            case 13:
                r.repeated(wire, (x) => x.double(), posCounts);
                break;
            case 15:
                h.timestampMs = r.signedVarint();
                break;
            default:
                r.skip(wire);
        }
    }
    h.positive = expandBuckets(posSpans, posDeltas, posCounts);
    h.negative = expandBuckets(negSpans, negDeltas, negCounts);
    return h;
}
function readTimeSeries(r) {
    const series = { labels: {}, samples: [], histograms: [] };
    while (!r.done) {
        const key = r.varint();
        const field = Math.floor(key / 8);
        if (field === 1) {
            const l = r.sub();
            let name = '';
            let value = '';
            while (!l.done) {
                const k = l.varint();
                if (k >> 3 === 1)
                    name = l.string();
                else if (k >> 3 === 2)
                    value = l.string();
                else
                    l.skip(k & 7);
            }
            series.labels[name] = value;
        }
        else if (field === 2) {
            const s = r.sub();
            const sample = { value: NaN, timestampMs: 0 };
            while (!s.done) {
                const k = s.varint();
                if (k >> 3 === 1) {
                    if (s.isStaleMarker())
                        sample.stale = true;
                    sample.value = s.double();
                }
                else if (k >> 3 === 2)
                    sample.timestampMs = s.signedVarint();
                else
                    s.skip(k & 7);
            }
            series.samples.push(sample);
        }
        else if (field === 4) {
            series.histograms.push(readHistogram(r.sub()));
        }
        else
            r.skip(key & 7);
    }
    return series;
}
/** protobuf(WriteRequest) → its time series (metadata and exemplars are skipped). */
function decodeWriteRequest(bytes) {
    const r = new ProtoReader(bytes);
    const out = [];
    while (!r.done) {
        const key = r.varint();
        if (key >> 3 === 1 && (key & 7) === LENGTH_DELIMITED)
            out.push(readTimeSeries(r.sub()));
        else
            r.skip(key & 7);
    }
    return out;
}
/** A remote-write request body (snappy-compressed protobuf) → its time series. */
function decodeRemoteWriteBody(body) {
    return decodeWriteRequest(snappyDecode(body));
}

;// CONCATENATED MODULE: ./src/observability/remote-write.ts
// Prometheus remote write 1.0 on the wire, without dependencies: a protobuf encoder for the four
// messages of prometheus/prompb (WriteRequest, TimeSeries, Label, Sample) and a snappy block
// encoder. Pure: bytes in, bytes out; the push itself lives in push.ts, the decoder in
// remote-write-decode.ts (re-exported here), the message shapes in remote-write-wire.ts.
//
// Snappy: a block made only of literal elements is valid snappy (every decoder must accept it);
// the few hundred bytes of k6-gate's verdict series gain nothing from back-references.


/** Headers a remote-write 1.0 receiver expects next to the body. */
const REMOTE_WRITE_HEADERS = {
    'Content-Encoding': 'snappy',
    'Content-Type': 'application/x-protobuf',
    'X-Prometheus-Remote-Write-Version': '0.1.0',
};
/** A growable byte buffer with protobuf's primitive writers. */
class ProtoWriter {
    chunks = [];
    varint(value) {
        let v = BigInt.asUintN(64, BigInt(value));
        while (v >= 0x80n) {
            this.chunks.push(Number((v & 0x7fn) | 0x80n));
            v >>= 7n;
        }
        this.chunks.push(Number(v));
    }
    tag(field, wireType) {
        this.varint((field << 3) | wireType);
    }
    bytes(field, data) {
        this.tag(field, LENGTH_DELIMITED);
        this.varint(data.length);
        for (const b of data)
            this.chunks.push(b);
    }
    string(field, text) {
        this.bytes(field, new TextEncoder().encode(text));
    }
    double(field, value, stale = false) {
        this.tag(field, FIXED64);
        const view = new DataView(new ArrayBuffer(8));
        if (stale) {
            view.setUint32(0, STALE_MARKER_LOW, true);
            view.setUint32(4, STALE_MARKER_HIGH, true);
        }
        else
            view.setFloat64(0, value, true);
        for (let i = 0; i < 8; i++)
            this.chunks.push(view.getUint8(i));
    }
    sint(field, value) {
        this.tag(field, VARINT);
        this.varint(value >= 0 ? 2 * value : -2 * value - 1);
    }
    int64(field, value) {
        this.tag(field, VARINT);
        this.varint(BigInt(Math.trunc(value)));
    }
    finish() {
        return Uint8Array.from(this.chunks);
    }
}
function encodeLabel(name, value) {
    const w = new ProtoWriter();
    w.string(1, name);
    w.string(2, value);
    return w.finish();
}
function encodeSample(sample) {
    const w = new ProtoWriter();
    w.double(1, sample.value, sample.stale === true);
    w.int64(2, sample.timestampMs);
    return w.finish();
}
function encodeTimeSeries(series) {
    const w = new ProtoWriter();
    // Receivers require labels sorted by name (Prometheus rejects unsorted ones as out of order).
    for (const name of Object.keys(series.labels).sort()) {
        const value = series.labels[name];
        if (value !== '')
            w.bytes(1, encodeLabel(name, value));
    }
    for (const sample of series.samples)
        w.bytes(2, encodeSample(sample));
    for (const h of series.histograms ?? [])
        w.bytes(4, encodeHistogram(h));
    return w.finish();
}
/** Bucket index → count as spans (offset from the previous span's end) and deltas between counts. */
function encodeBuckets(w, buckets, spanField, deltaField) {
    const indexes = [...buckets.keys()].sort((a, b) => a - b);
    let previousEnd = 0;
    let previousCount = 0;
    for (let i = 0; i < indexes.length;) {
        let length = 1;
        while (i + length < indexes.length && indexes[i + length] === indexes[i] + length)
            length++;
        const span = new ProtoWriter();
        span.sint(1, indexes[i] - previousEnd);
        span.tag(2, VARINT);
        span.varint(length);
        w.bytes(spanField, span.finish());
        previousEnd = indexes[i] + length;
        i += length;
    }
    for (const index of indexes) {
        const count = buckets.get(index);
        w.sint(deltaField, count - previousCount);
        previousCount = count;
    }
}
/** prometheus.Histogram with integer counts (what k6 sends). */
function encodeHistogram(h) {
    const w = new ProtoWriter();
    w.tag(1, VARINT);
    w.varint(h.count);
    w.double(3, h.sum);
    w.sint(4, h.schema);
    w.double(5, h.zeroThreshold);
    w.tag(6, VARINT);
    w.varint(h.zeroCount);
    encodeBuckets(w, h.negative, 8, 9);
    encodeBuckets(w, h.positive, 11, 12);
    w.int64(15, h.timestampMs);
    return w.finish();
}
/** prometheus.WriteRequest { repeated TimeSeries timeseries = 1; } as protobuf bytes. */
function encodeWriteRequest(series) {
    const w = new ProtoWriter();
    for (const s of series)
        w.bytes(1, encodeTimeSeries(s));
    return w.finish();
}
/** Snappy block format (not the framing format): uncompressed length, then literal elements. */
function snappyEncode(input) {
    const out = [];
    let n = input.length;
    while (n >= 0x80) {
        out.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
    }
    out.push(n);
    // Literal tag: length-1 in the upper six bits below 60; else 60..63 = 1..4 little-endian length bytes.
    const MAX_LITERAL = 65_536;
    for (let start = 0; start < input.length; start += MAX_LITERAL) {
        const chunk = input.subarray(start, Math.min(start + MAX_LITERAL, input.length));
        const lenMinus1 = chunk.length - 1;
        if (lenMinus1 < 60)
            out.push(lenMinus1 << 2);
        else if (lenMinus1 < 0x100)
            out.push(60 << 2, lenMinus1);
        else
            out.push(61 << 2, lenMinus1 & 0xff, lenMinus1 >> 8);
        for (const b of chunk)
            out.push(b);
    }
    return Uint8Array.from(out);
}
/** The request body of a remote-write push: snappy(protobuf(WriteRequest)). */
function remoteWriteBody(series) {
    return snappyEncode(encodeWriteRequest(series));
}


/***/ }),

/***/ 5705:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  publishGitLab: () => (/* binding */ publishGitLab),
  publishGitLabFailure: () => (/* binding */ publishGitLabFailure)
});

// UNUSED EXPORTS: EXPOSED_HTML_FILE, exposeHtmlReport

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/report/load-performance.ts
var load_performance = __nccwpck_require__(9683);
// EXTERNAL MODULE: ./src/format.ts
var format = __nccwpck_require__(6264);
// EXTERNAL MODULE: ./src/report/html.ts
var html = __nccwpck_require__(6433);
// EXTERNAL MODULE: ./src/report/markdown.ts + 3 modules
var markdown = __nccwpck_require__(6267);
// EXTERNAL MODULE: ./src/baseline/compare.ts
var compare = __nccwpck_require__(6228);
// EXTERNAL MODULE: ./src/report/escape.ts
var report_escape = __nccwpck_require__(4031);
// EXTERNAL MODULE: ./src/report/headline.ts
var headline = __nccwpck_require__(4512);
;// CONCATENATED MODULE: ./src/report/mermaid.ts
// Mermaid charts of baseline vs current for the key timing stats. GitHub renders ```mermaid blocks
// in comments and job summaries, so a reader sees the size of a regression without reading numbers.
// Pure: data in, text out.



const DEFAULT_MAX_BARS = 8;
/** Stats a reader cares about first; the others are charted only when there is room. */
const STAT_PRIORITY = ['p(95)', 'p(90)', 'med', 'avg', 'p(99)', 'max', 'min'];
function chartable(m) {
    return m.unit === 'ms' && Number.isFinite(m.baseline) && Number.isFinite(m.current);
}
function statRank(stat) {
    const index = STAT_PRIORITY.indexOf(stat);
    return index === -1 ? STAT_PRIORITY.length : index;
}
/** Picks the bars: regressed rows always make it in, then the most telling stats. */
function selectChartRows(metrics, maxBars = DEFAULT_MAX_BARS) {
    const candidates = metrics.filter(chartable);
    const ranked = [...candidates].sort((a, b) => {
        const regressedFirst = Number((0,compare/* isRegression */.kj)(b)) - Number((0,compare/* isRegression */.kj)(a));
        return regressedFirst !== 0 ? regressedFirst : statRank(a.stat) - statRank(b.stat);
    });
    const chosen = new Set(ranked.slice(0, Math.max(0, maxBars)));
    // Back to the report's own order so the chart reads like the table next to it.
    return candidates.filter((m) => chosen.has(m));
}
/**
 * A label as a Mermaid quoted string. Such a string cannot escape a double quote, a newline ends
 * the statement, `#name;` is read as an entity (`#lt;` is `<`) and a label may be rendered as HTML:
 * each of those characters becomes a look-alike, so a name from the script stays text.
 */
function quote(text) {
    const safe = text
        .replace(/"/g, "'")
        .replace(/`/g, "'")
        .replace(/[\r\n\u2028\u2029]+/g, ' ')
        .replace(/#/g, '♯')
        .replace(/</g, '‹')
        .replace(/>/g, '›');
    return `"${safe}"`;
}
function round(value) {
    return Math.round(value * 100) / 100;
}
/** A round upper bound for the y axis, a little above the tallest value. */
function axisMax(values) {
    const top = Math.max(...values, 0) * 1.1;
    if (top <= 0)
        return 1;
    const magnitude = 10 ** Math.floor(Math.log10(top));
    for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
        if (step * magnitude >= top)
            return step * magnitude;
    }
    return 10 * magnitude;
}
function label(m) {
    const marker = (0,compare/* isRegression */.kj)(m) ? ' ▲' : '';
    return `${m.metric} ${m.stat}${marker}`;
}
/**
 * One xychart for a scenario: bars are this run, the line is the baseline. Empty string when the
 * scenario has nothing to chart (no baseline yet, or no timing metrics).
 */
function renderScenarioChart(scenario, options = {}) {
    const rows = selectChartRows(scenario.metrics, options.maxBars ?? DEFAULT_MAX_BARS);
    if (rows.length === 0)
        return '';
    const baseline = rows.map((m) => round(m.baseline));
    const current = rows.map((m) => round(m.current));
    const lines = [
        '```mermaid',
        'xychart-beta',
        `    title ${quote(`${(0,headline/* scenarioLabel */.b2)(scenario)}: this run (bars) vs baseline (line), ms`)}`,
        `    x-axis [${rows.map((m) => quote(label(m))).join(', ')}]`,
        `    y-axis "ms" 0 --> ${axisMax([...baseline, ...current])}`,
        `    bar [${current.join(', ')}]`,
        `    line [${baseline.join(', ')}]`,
        '```',
    ];
    return lines.join('\n');
}
/** Charts for every scenario that has something to chart, each under a small heading. */
function renderBaselineCharts(result, options = {}) {
    const parts = [];
    for (const scenario of result.scenarios) {
        const chart = renderScenarioChart(scenario, options);
        if (chart)
            parts.push(`#### ${(0,report_escape/* escapeProse */.fd)((0,headline/* scenarioLabel */.b2)(scenario))}\n\n${chart}`);
    }
    if (parts.length === 0)
        return '';
    return `### Baseline vs this run\n\nBars are this run, the line is the baseline (milliseconds; ▲ marks a regression).\n\n${parts.join('\n\n')}`;
}

;// CONCATENATED MODULE: ./src/platform/error-report.ts
// What a change request's sticky comment says when a run ended before it had a result (bad input,
// a problem found before k6 started): the headline names the cause, so no stale green report stays.
/** The message in a code fence longer than any backtick run in it: input quoted in it stays text. */
function renderRunFailureReport(message, headline = 'bad input') {
    const longest = Math.max(0, ...(message.match(/`+/g) ?? []).map((run) => run.length));
    const fence = '`'.repeat(Math.max(3, longest + 1));
    return `## 💥 k6-gate: ${headline}\n\nThe gate did not run, so there is no comparison for this commit.\n\n${fence}text\n${message}\n${fence}\n`;
}

;// CONCATENATED MODULE: ./src/platform/baseline-proposal.ts
// `update-baseline: pull-request` / `merge-request`: the baseline file a run updated is proposed to
// the repository as a branch and a change request, so every baseline change is reviewed like code.
// What both platforms share: which file, which branch, and the words of the commit and the request.


/** The updated file and its path in the repository; a problem in words when it is outside the checkout. */
async function readProposedFile(request) {
    const relative = external_node_path_default().relative(external_node_path_default().resolve(request.workspace), external_node_path_default().resolve(request.file));
    if (!relative || relative.startsWith('..') || external_node_path_default().isAbsolute(relative)) {
        return { problem: `the baseline ${request.file} is outside the repository checkout ${request.workspace}` };
    }
    return { repoPath: relative.split((external_node_path_default()).sep).join('/'), content: await (0,promises_.readFile)(request.file, 'utf8') };
}
/** One branch per target branch, reused by every later run: one open change request, kept current. */
function proposalBranch(base) {
    return `k6-gate/baseline-update/${base}`;
}
function proposalTitle(file, base) {
    return `k6-gate: update the load-test baseline ${file.repoPath} (${base})`;
}
function proposalCommitMessage(file, result) {
    const keys = [...new Set(result.scenarios.map((s) => s.key))].join(', ');
    return `k6-gate: record ${keys} in ${file.repoPath}`;
}
/** The change request's description: what was recorded, from which run, and what to check. */
function proposalBody(file, result, where) {
    const rows = result.scenarios.map((s) => `- \`${s.key}\`: ${s.outcome}`).join('\n');
    const from = [where.commit ? `commit ${where.commit}` : undefined, where.runUrl ? `[the run](${where.runUrl})` : undefined]
        .filter(Boolean)
        .join(', ');
    return [
        `k6-gate recorded this run in \`${file.repoPath}\`${from ? ` (${from})` : ''}:`,
        '',
        rows,
        '',
        'Merging makes these numbers part of the baseline later runs are compared with. Check that the run was',
        'healthy (no errors, the load generator not starved) before merging; a later run replaces this proposal.',
    ].join('\n');
}
/**
 * The updated baseline proposed on the base branch, the same way on every platform: the file read,
 * the words written, the platform's call made and its outcome logged. Never throws: a problem is
 * the platform's `skip`, a warning.
 */
async function proposeBaseline(request, result, base, where, platform) {
    const file = await readProposedFile(request);
    if ('problem' in file)
        return platform.skip(file.problem);
    try {
        const outcome = await platform.propose({
            base,
            file,
            title: proposalTitle(file, base),
            body: proposalBody(file, result, where),
            commitMessage: proposalCommitMessage(file, result),
        });
        if (outcome.action === 'unchanged')
            platform.log.info(`k6-gate: ${file.repoPath} on ${base} already holds this baseline: no ${platform.changeRequest}`);
        else
            platform.log.info(`k6-gate: ${outcome.action} the baseline ${platform.changeRequest} ${outcome.url ?? ''} (branch ${outcome.branch})`);
        return outcome;
    }
    catch (error) {
        return platform.skip(platform.refused(error));
    }
}

;// CONCATENATED MODULE: ./src/platform/gitlab/baseline-mr.ts

async function proposeBaselineMergeRequest(client, p) {
    const project = `/projects/${client.project}`;
    const branch = proposalBranch(p.base);
    const onBase = await client.call('GET', `${project}/repository/files/${encodeURIComponent(p.file.repoPath)}?ref=${encodeURIComponent(p.base)}`, undefined, true);
    const current = onBase?.content === undefined ? undefined : Buffer.from(onBase.content, 'base64').toString('utf8');
    if (current === p.file.content)
        return { action: 'unchanged', branch };
    await client.call('POST', `${project}/repository/commits`, {
        branch,
        start_branch: p.base,
        force: true,
        commit_message: p.commitMessage,
        actions: [{ action: current === undefined ? 'create' : 'update', file_path: p.file.repoPath, content: p.file.content }],
    });
    const query = `state=opened&source_branch=${encodeURIComponent(branch)}&target_branch=${encodeURIComponent(p.base)}`;
    const open = (await client.call('GET', `${project}/merge_requests?${query}`)) ?? [];
    if (open.length > 0) {
        const updated = await client.call('PUT', `${project}/merge_requests/${open[0].iid}`, {
            title: p.title,
            description: p.description,
        });
        return { action: 'updated', url: updated?.web_url, branch };
    }
    const created = await client.call('POST', `${project}/merge_requests`, {
        source_branch: branch,
        target_branch: p.base,
        title: p.title,
        description: p.description,
        remove_source_branch: true,
    });
    return { action: 'created', url: created?.web_url, branch };
}

;// CONCATENATED MODULE: ./src/platform/gitlab/dotenv.ts
// `artifacts:reports:dotenv`: the gate's verdict as variables for later jobs (and for
// `environment:url`-style uses). GitLab's dotenv parser takes KEY=VALUE lines, one value per line,
// no multi-line values, and caps the file (5 KB) and the variable count (20 by default), so only
// short, single-line values go in.



const DOTENV_FILE = 'k6-gate.env';
/** Longest value written; GitLab refuses a dotenv file over 5 KB as a whole. */
const MAX_VALUE = 1000;
function oneLine(value) {
    const flat = value.replace(/[\r\n]+/g, ' ').trim();
    return flat.length > MAX_VALUE ? `${flat.slice(0, MAX_VALUE - 1)}…` : flat;
}
/** The variables later jobs can read, e.g. `$K6_GATE_RESULT == "regressed"` (the templates prefix them per job). */
function gitlabDotenvVariables(result, extra = {}) {
    const regressed = result.scenarios.flatMap((s) => s.metrics.filter(compare/* isRegression */.kj).map((m) => `${s.key}:${m.metric}:${m.stat}`));
    const vars = {
        K6_GATE_RESULT: result.outcome,
        K6_GATE_FAILED: String(result.failed),
        K6_GATE_REGRESSIONS: String(result.regressions),
        K6_GATE_THRESHOLDS_FAILED: String(result.thresholdsFailed),
        K6_GATE_INCONCLUSIVE: String(result.inconclusive ?? 0),
        K6_GATE_REGRESSED_METRICS: regressed.join(','),
    };
    if (extra.noteUrl)
        vars.K6_GATE_NOTE_URL = extra.noteUrl;
    return vars;
}
const DEFAULT_PREFIX = 'K6_GATE_';
/**
 * The key prefix of a job's dotenv variables: the dotenv-prefix input (the templates set one per job, so
 * two jobs of one pipeline never export the same key), made a valid variable name: `k6-gate_staging_`
 * becomes `K6_GATE_STAGING_`. Unset or empty keeps `K6_GATE_`.
 */
function dotenvKeyPrefix(raw) {
    const cleaned = (raw ?? '')
        .trim()
        .toUpperCase()
        .replace(/[^A-Z0-9_]+/g, '_');
    if (cleaned === '')
        return DEFAULT_PREFIX;
    const named = /^[A-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
    return named.endsWith('_') ? named : `${named}_`;
}
/** The variables with `K6_GATE_` replaced by `prefix`. */
function withDotenvPrefix(vars, prefix) {
    return Object.fromEntries(Object.entries(vars).map(([key, value]) => [key.startsWith(DEFAULT_PREFIX) ? prefix + key.slice(DEFAULT_PREFIX.length) : key, value]));
}
function renderDotenv(vars) {
    return Object.entries(vars)
        .map(([key, value]) => `${key}=${oneLine(value)}\n`)
        .join('');
}
async function writeDotenv(result, resultsDir, extra = {}) {
    const file = external_node_path_default().join(resultsDir, DOTENV_FILE);
    await (0,promises_.writeFile)(file, renderDotenv(withDotenvPrefix(gitlabDotenvVariables(result, extra), dotenvKeyPrefix(extra.keyPrefix))));
    return file;
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: ./src/http.ts
var http = __nccwpck_require__(6803);
;// CONCATENATED MODULE: ./src/platform/sticky.ts
// The sticky comment, once for every platform: one comment per job (and matrix entry) on the pull
// or merge request, found again by a hidden marker AND by its author, and edited in place, so a
// change pushed to ten times carries one current report, not ten. A person's comment that quotes
// the marker is never edited: the platform would refuse, and it is not ours to change.
/** The hidden line that identifies one job's comment. HTML comments cannot hold `--` or an early `>`. */
function stickyMarker(id) {
    const safe = id
        .replace(/[\r\n]+/g, ' ')
        .replace(/-{2,}/g, '-')
        .replace(/>/g, '')
        .trim();
    return `<!-- k6-gate:${safe} -->`;
}
/** The first comment with the marker that the token itself wrote. */
async function findSticky(thread, marker) {
    for await (const page of thread.pages()) {
        for (const comment of page) {
            if (comment.system || !comment.body?.includes(marker))
                continue;
            if (await thread.isOwn(comment))
                return comment;
        }
    }
    return undefined;
}
/** Edits the marked comment, or creates it when `createIfMissing` (the marker goes first: it survives any cut). */
async function upsertSticky(thread, marker, body, options = {}) {
    const fullBody = body.includes(marker) ? body : `${marker}\n${body}`;
    const existing = await findSticky(thread, marker);
    if (existing)
        return { action: 'updated', ...(await thread.update(existing.id, fullBody)) };
    if (options.createIfMissing === false)
        return { action: 'skipped', reason: options.skipReason ?? 'no earlier comment to update' };
    return { action: 'created', ...(await thread.create(fullBody)) };
}
/**
 * "Is this comment the token's own?" from the token's identity when it can be read, else from what
 * a job token writes as: a bot account (the GitHub job token's `github-actions[bot]` is not always
 * typed `Bot`; a login ending in `[bot]` cannot belong to a person). Asks for the identity once.
 */
function ownAuthorRule(identity, knownBotLogins = []) {
    let own;
    return async (comment) => {
        own ??= identity().catch(() => undefined);
        const login = await own;
        const author = comment.author;
        if (login !== undefined)
            return author?.login === login;
        if (!author)
            return false;
        return (author.type === 'Bot' || author.bot === true || knownBotLogins.includes(author.login ?? '') || /\[bot\]$/.test(author.login ?? ''));
    };
}

;// CONCATENATED MODULE: ./src/platform/gitlab/client.ts
// GitLab's REST API v4 as k6-gate uses it, over the one patient fetch (deadline, retries, budget):
// the sticky merge-request note (GET/POST /projects/:id/merge_requests/:iid/notes, PUT …/notes/:id),
// found again by its hidden marker and by its author (GET /user), and any other call through `call`
// (the baseline proposal's commits and merge requests). CI_JOB_TOKEN cannot write notes, so the token
// is a project (or group) access token with the api scope, sent as PRIVATE-TOKEN; it never appears in
// a message.



/** GitLab rejects longer note bodies (1,000,000 characters); keep a margin for the marker. */
const GITLAB_NOTE_LIMIT = 1_000_000;
class GitLabApiError extends errors/* ExpectedError */.Dh {
    status;
    constructor(message, status, options) {
        super(message, options);
        this.status = status;
        this.name = 'GitLabApiError';
    }
}
/** The next page's URL from an RFC 8288 `Link` header, when there is one. */
function nextLink(header) {
    if (!header)
        return undefined;
    for (const part of header.split(',')) {
        const match = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
        if (match && /\brel="?next"?/.test(match[2]))
            return match[1];
    }
    return undefined;
}
class GitLabClient {
    options;
    fetchImpl;
    apiUrl;
    perPage;
    maxPages;
    constructor(options) {
        this.options = options;
        this.fetchImpl = (0,http/* createPatientFetch */.wS)(options);
        this.apiUrl = options.apiUrl.replace(/\/+$/, '');
        this.perPage = options.perPage ?? 100;
        this.maxPages = options.maxPages ?? 50;
    }
    notesUrl(iid) {
        return `${this.apiUrl}/projects/${encodeURIComponent(this.options.projectId)}/merge_requests/${encodeURIComponent(iid)}/notes`;
    }
    /** One request (deadline and retries in the patient fetch); the token never appears in messages. */
    async request(method, url, body) {
        let response;
        try {
            response = await this.fetchImpl(url, {
                method,
                headers: {
                    'PRIVATE-TOKEN': this.options.token,
                    Accept: 'application/json',
                    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
                },
                body: body === undefined ? undefined : JSON.stringify(body),
            });
        }
        catch (error) {
            const e = error;
            const detail = e.cause?.code ? `${e.message} (${e.cause.code})` : e.message;
            throw new GitLabApiError(detail.startsWith(method) ? detail : `${method} ${url} failed: ${detail}`, undefined, { cause: error });
        }
        if (response.ok)
            return response;
        const text = await response.text().catch(() => '');
        throw new GitLabApiError(`${method} ${url} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, response.status);
    }
    /**
     * Any call under the API root (`/projects/42/repository/commits`), its JSON answer, or undefined
     * for a 404 when `missingIsUndefined`; other failures throw GitLabApiError.
     */
    async call(method, apiPath, body, missingIsUndefined = false) {
        try {
            return (await (await this.request(method, `${this.apiUrl}${apiPath}`, body)).json());
        }
        catch (error) {
            if (missingIsUndefined && error instanceof GitLabApiError && error.status === 404)
                return undefined;
            throw error;
        }
    }
    /** The project's path segment: its id or its URL-encoded `group/project`. */
    get project() {
        return encodeURIComponent(this.options.projectId);
    }
    /** The token's own user name (a project access token's bot), so only its notes are edited. */
    async tokenUser() {
        const user = (await (await this.request('GET', `${this.apiUrl}/user`)).json());
        return typeof user?.username === 'string' ? user.username : undefined;
    }
    /** The notes of a merge request, page by page, oldest first. */
    async *notePages(iid) {
        let url = `${this.notesUrl(iid)}?per_page=${this.perPage}&sort=asc&order_by=created_at`;
        for (let page = 1; url && page <= this.maxPages; page++) {
            const response = await this.request('GET', url);
            const notes = (await response.json());
            if (!Array.isArray(notes))
                throw new GitLabApiError(`GET ${url} did not answer with a list of notes`, response.status);
            yield notes;
            url = this.nextPageUrl(response, url);
        }
    }
    /** The marked note the token wrote, on any page. */
    async findNote(iid, marker) {
        const found = await findSticky(this.thread(iid), marker);
        return found && { id: found.id, body: found.body };
    }
    /** GitLab sends both `Link` and `X-Next-Page`; keyset pagination sends only `Link`. */
    nextPageUrl(response, current) {
        const link = nextLink(response.headers.get('link'));
        if (link)
            return link;
        const next = response.headers.get('x-next-page')?.trim();
        if (!next)
            return undefined;
        const url = new URL(current);
        url.searchParams.set('page', next);
        return url.toString();
    }
    async createNote(iid, body) {
        const response = await this.request('POST', this.notesUrl(iid), { body });
        return (await response.json());
    }
    async updateNote(iid, noteId, body) {
        const response = await this.request('PUT', `${this.notesUrl(iid)}/${noteId}`, { body });
        return (await response.json());
    }
    /** The merge request's notes as the sticky-comment algorithm sees them. */
    thread(iid) {
        // A token whose user cannot be read still edits only marked, non-system notes, as before.
        let own;
        return {
            pages: () => mapPages(this.notePages(iid)),
            isOwn: async (note) => {
                own ??= this.tokenUser().catch(() => undefined);
                const user = await own;
                return user === undefined || note.author?.login === user;
            },
            create: async (body) => ({ id: (await this.createNote(iid, body)).id }),
            update: async (id, body) => ({ id: (await this.updateNote(iid, id, body)).id }),
        };
    }
}
async function* mapPages(pages) {
    for await (const notes of pages) {
        yield notes.map((n) => ({
            id: n.id,
            body: typeof n.body === 'string' ? n.body : '',
            system: n.system,
            author: { login: n.author?.username },
        }));
    }
}
/** The hidden line that identifies one job's note; the same marker as the GitHub comment. */
const noteMarker = stickyMarker;
/** Finds the job's note and edits it, or creates it. */
async function upsertStickyNote(client, iid, marker, body) {
    const outcome = await upsertSticky(client.thread(iid), marker, body);
    if (outcome.action === 'skipped')
        throw new Error('unreachable: a note is always created when missing');
    return { note: { id: outcome.id, body }, action: outcome.action };
}
/**
 * The merge request of this pipeline: CI_MERGE_REQUEST_IID in merge-request pipelines; in branch
 * pipelines the first entry of CI_OPEN_MERGE_REQUESTS (`group/project!12,other/project!3`) that
 * belongs to this project, since an IID only means something inside its own project.
 */
function resolveMergeRequestIid(env) {
    const direct = env.CI_MERGE_REQUEST_IID?.trim();
    if (direct && /^\d+$/.test(direct))
        return direct;
    const open = env.CI_OPEN_MERGE_REQUESTS?.trim();
    if (!open)
        return undefined;
    const project = env.CI_PROJECT_PATH?.trim();
    for (const entry of open.split(',')) {
        const match = /^(.+)!(\d+)$/.exec(entry.trim());
        if (!match)
            continue;
        if (!project || match[1] === project)
            return match[2];
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/platform/gitlab/publish.ts
// Everything a GitLab job leaves behind for a finished gate: the report files its
// `artifacts:reports` point at (junit, load_performance, dotenv), a fixed-name copy of the HTML
// report for `expose_as`, and the sticky merge-request note. Nothing here fails the job: the verdict
// is the caller's, from the GateResult alone; reporting problems are warnings.












/** Fixed name, because `expose_as` paths cannot hold wildcards or per-scenario names. */
const EXPOSED_HTML_FILE = 'report.html';
/**
 * Copies the gating scenario's HTML report to the fixed name `expose_as` points at. The report files
 * GitLab's `artifacts:reports` read (junit.xml, load-performance.json) are the pipeline's
 * (writeReports); only the dotenv file and this copy are GitLab's own. Returns whether it copied.
 */
async function exposeHtmlReport(result, resultsDir) {
    const html = (0,load_performance/* gatingScenario */.jU)(result)?.files.html ?? result.scenarios.find((s) => s.files.html)?.files.html;
    if (!html)
        return false;
    try {
        await (0,promises_.copyFile)(external_node_path_default().join(resultsDir, html), external_node_path_default().join(resultsDir, EXPOSED_HTML_FILE));
        return true;
    }
    catch {
        // k6 skips the dashboard export when a run is too short or fails early; nothing to expose then.
        return false;
    }
}
/** Where the job's artifacts can be read, when the job runs in GitLab. */
function artifactLinks(env, resultsDir) {
    const jobUrl = env.CI_JOB_URL;
    if (!jobUrl)
        return { htmlReport: { resultsDir }, links: [] };
    const base = env.CI_PROJECT_DIR ?? process.cwd();
    const rel = external_node_path_default().relative(base, external_node_path_default().resolve(base, resultsDir)).split((external_node_path_default()).sep).join('/');
    const inside = rel && !rel.startsWith('..') ? rel : undefined;
    const file = (name) => `${jobUrl}/artifacts/file/${inside ? `${inside}/` : ''}${name}`;
    const links = [{ label: 'job log', url: jobUrl }];
    if (inside) {
        links.unshift({ label: 'k6 web dashboard', url: file(EXPOSED_HTML_FILE) }, { label: 'all artifacts', url: `${jobUrl}/artifacts/browse/${inside}` });
    }
    return {
        fullReportUrl: inside ? file('report.md') : undefined,
        htmlReport: inside ? { url: file(html/* GATE_REPORT_FILE */.At) } : { resultsDir },
        links,
    };
}
function explainNoteFailure(error) {
    if (error instanceof GitLabApiError && (error.status === 401 || error.status === 403)) {
        return `GitLab refused the token (HTTP ${error.status}): K6_GATE_GITLAB_TOKEN must be a project access token with the api scope and at least the Reporter role that has not expired`;
    }
    if (error instanceof GitLabApiError && error.status === 404) {
        return `GitLab found no such merge request or project (HTTP 404): check that the token belongs to this project (CI_PROJECT_ID) and can see the merge request`;
    }
    return error.message;
}
/** Where this job's note goes, or undefined (with the reason logged) when it has none. */
function noteTarget(options, env) {
    const { log } = options;
    if (options.mrNote === false) {
        log.info('k6-gate: merge-request note is off (mr-note: false)');
        return undefined;
    }
    const iid = resolveMergeRequestIid(env);
    if (!iid) {
        log.info('k6-gate: no merge request for this pipeline (neither CI_MERGE_REQUEST_IID nor an open merge request of this project): no note; the report is in the job artifacts');
        return undefined;
    }
    const token = env.K6_GATE_GITLAB_TOKEN?.trim();
    if (!token) {
        log.info(`k6-gate: K6_GATE_GITLAB_TOKEN is not set, so no note on merge request !${iid}; to get one, add a project access token (api scope, Reporter role) as a masked CI/CD variable named K6_GATE_GITLAB_TOKEN (CI_JOB_TOKEN cannot post notes). The report is in the job artifacts.`);
        return undefined;
    }
    log.addSecret(token);
    const apiUrl = env.CI_API_V4_URL;
    const projectId = env.CI_MERGE_REQUEST_PROJECT_ID || env.CI_PROJECT_ID;
    if (!apiUrl || !projectId) {
        log.warning('k6-gate: CI_API_V4_URL or CI_PROJECT_ID is not set (not a GitLab job?): no merge-request note');
        return undefined;
    }
    const client = new GitLabClient({
        apiUrl,
        projectId,
        token,
        fetch: options.fetch,
        ...options.client,
        onRetry: (message) => log.info(`k6-gate: ${message}`),
    });
    return { iid, marker: noteMarker(options.noteId || env.CI_JOB_NAME || 'k6-gate'), client };
}
/** Creates or edits the job's note; a warning (never a throw) when GitLab cannot be told. */
async function postNote(target, body, log, env) {
    const { iid, marker, client } = target;
    try {
        const { note, action } = await upsertStickyNote(client, iid, marker, body);
        const mrUrl = env.CI_MERGE_REQUEST_PROJECT_URL || env.CI_PROJECT_URL;
        const noteUrl = mrUrl ? `${mrUrl}/-/merge_requests/${iid}#note_${note.id}` : undefined;
        log.info(`k6-gate: ${action} the note on merge request !${iid}${noteUrl ? `: ${noteUrl}` : ` (note ${note.id})`}`);
        return noteUrl;
    }
    catch (error) {
        log.warning(`k6-gate: could not post the merge-request note on !${iid}: ${explainNoteFailure(error)}. The report is in the job artifacts.`);
        return undefined;
    }
}
async function postReportNote(result, options, env) {
    const target = noteTarget(options, env);
    if (!target)
        return undefined;
    const { fullReportUrl, htmlReport, links } = artifactLinks(env, options.resultsDir);
    const chart = renderBaselineCharts(result);
    const body = (0,markdown.renderMarkdownReport)(result, {
        appendix: chart || undefined,
        links,
        fullReportUrl,
        htmlReport,
        limit: {
            max: GITLAB_NOTE_LIMIT - target.marker.length - 1,
            description: `GitLab's ${(0,format/* formatCount */.B4)(GITLAB_NOTE_LIMIT)}-character note limit`,
        },
    });
    return postNote(target, body, options.log, env);
}
/** A run that ended before it had a result: the job's note shows the error, not the last report. */
async function publishGitLabFailure(message, options) {
    const env = options.env ?? process.env;
    const target = noteTarget(options, env);
    if (!target)
        return {};
    return { noteUrl: await postNote(target, renderRunFailureReport(message), options.log, env) };
}
/** The branch a proposal targets: the merge request's source branch, or the pipeline's branch (never a tag). */
function proposalBase(env) {
    return env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME || env.CI_COMMIT_BRANCH || undefined;
}
/** `update-baseline: merge-request`: the updated baseline as a branch and a merge request. Never throws. */
async function publishBaselineProposal(result, options, env) {
    const { log } = options;
    if (!options.baseline || !result.baselineUpdated)
        return undefined;
    const skip = (why) => {
        log.warning(`k6-gate: the updated baseline was not proposed: ${why}. The updated file is in this job's checkout only.`);
        return undefined;
    };
    const base = proposalBase(env);
    if (!base)
        return skip('this pipeline is not for a branch (a tag pipeline?)');
    const source = env.CI_MERGE_REQUEST_SOURCE_PROJECT_ID;
    if (source && env.CI_PROJECT_ID && source !== env.CI_PROJECT_ID)
        return skip('the merge request comes from a fork, whose branch this project cannot push to');
    const token = env.K6_GATE_GITLAB_TOKEN?.trim();
    if (!token)
        return skip('K6_GATE_GITLAB_TOKEN is not set (a project access token with the api scope and the Developer role)');
    log.addSecret(token);
    if (!env.CI_API_V4_URL || !env.CI_PROJECT_ID)
        return skip('CI_API_V4_URL or CI_PROJECT_ID is not set (not a GitLab job?)');
    const client = new GitLabClient({
        apiUrl: env.CI_API_V4_URL,
        projectId: env.CI_PROJECT_ID,
        token,
        fetch: options.fetch,
        ...options.client,
        onRetry: (message) => log.info(`k6-gate: ${message}`),
    });
    // Paths in the repository are relative to the checkout, wherever the CLI was started in it.
    const request = { ...options.baseline, workspace: env.CI_PROJECT_DIR || options.baseline.workspace };
    return proposeBaseline(request, result, base, { commit: env.CI_COMMIT_SHA, runUrl: env.CI_JOB_URL }, {
        changeRequest: 'merge request',
        propose: ({ body, ...words }) => proposeBaselineMergeRequest(client, { description: body, ...words }),
        refused: (error) => {
            const status = error instanceof GitLabApiError ? error.status : undefined;
            const hint = status === 401 || status === 403
                ? ': K6_GATE_GITLAB_TOKEN needs the api scope and a role that may push branches (Developer)'
                : '';
            return `GitLab refused it (${error.message})${hint}`;
        },
        skip,
        log,
    });
}
/** Publishes a finished gate to GitLab; never throws for reporting problems. */
async function publishGitLab(result, options) {
    const env = options.env ?? process.env;
    const { log } = options;
    if (await exposeHtmlReport(result, options.resultsDir))
        log.debug(`k6-gate: wrote ${EXPOSED_HTML_FILE} to ${options.resultsDir}`);
    const baselineProposal = await publishBaselineProposal(result, options, env);
    const noteUrl = await postReportNote(result, options, env);
    try {
        await writeDotenv(result, options.resultsDir, { noteUrl, keyPrefix: options.dotenvPrefix });
    }
    catch (error) {
        log.warning(`k6-gate: could not write the dotenv report to ${options.resultsDir}: ${error.message}`);
    }
    return { noteUrl, baselineProposal };
}


/***/ }),

/***/ 7404:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  l: () => (/* binding */ detectPlatform)
});

// UNUSED EXPORTS: PLATFORMS

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
;// CONCATENATED MODULE: ./src/platform/github/context.ts
// What the action needs to know about the workflow run it is part of, read once from the runner's
// environment and the event payload. @actions/github's `context` singleton reads the environment at
// import time, which makes it awkward to test; this reader takes the environment as an argument.


function readEventPayload(eventPath) {
    if (!eventPath)
        return {};
    try {
        const data = JSON.parse((0,external_node_fs_.readFileSync)(eventPath, 'utf8'));
        return typeof data === 'object' && data !== null ? data : {};
    }
    catch (error) {
        throw new errors/* ExpectedError */.Dh(`cannot read the event payload GITHUB_EVENT_PATH=${eventPath}: ${error.message}`, { cause: error });
    }
}
function readRunContext(env = process.env) {
    const payload = readEventPayload(env.GITHUB_EVENT_PATH);
    const [owner, repo] = (env.GITHUB_REPOSITORY ?? payload.repository?.full_name ?? '').split('/');
    const pr = payload.pull_request;
    let pullRequest;
    if (pr && typeof pr.number === 'number') {
        const head = pr.head?.repo?.full_name;
        const base = pr.base?.repo?.full_name;
        pullRequest = {
            number: pr.number,
            // A deleted fork leaves a null head repo; it is still a fork.
            fromFork: pr.head?.repo === null || (head !== undefined && base !== undefined && head !== base),
            headSha: pr.head?.sha,
            headRef: pr.head?.ref,
        };
    }
    return {
        eventName: env.GITHUB_EVENT_NAME ?? '',
        owner: owner || undefined,
        repo: repo || undefined,
        serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
        apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
        runId: env.GITHUB_RUN_ID || undefined,
        runAttempt: env.GITHUB_RUN_ATTEMPT || undefined,
        workflow: env.GITHUB_WORKFLOW || undefined,
        job: env.GITHUB_JOB || undefined,
        sha: pullRequest?.headSha ?? (env.GITHUB_SHA || undefined),
        ref: env.GITHUB_REF || undefined,
        refName: env.GITHUB_REF_NAME || undefined,
        defaultBranch: payload.repository?.default_branch,
        pullRequest,
        workspace: env.GITHUB_WORKSPACE || process.cwd(),
    };
}
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
/** A run for a pull request (possibly from a fork): the load policy keeps heavy profiles off it. */
function isPullRequestEvent(eventName) {
    return PULL_REQUEST_EVENTS.has(eventName);
}
/** True on a push (or dispatch) to the repository's default branch, where baselines may be updated. */
function isDefaultBranchRun(ctx) {
    if (ctx.pullRequest)
        return false;
    if (!ctx.defaultBranch || !ctx.refName)
        return undefined;
    return ctx.ref === `refs/heads/${ctx.defaultBranch}` || (ctx.ref === undefined && ctx.refName === ctx.defaultBranch);
}
function runUrl(ctx) {
    if (!ctx.owner || !ctx.repo || !ctx.runId)
        return undefined;
    return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}`;
}
function artifactUrl(ctx, artifactId) {
    const run = runUrl(ctx);
    return run ? `${run}/artifacts/${artifactId}` : undefined;
}

;// CONCATENATED MODULE: ./src/platform/github/platform.ts

/** The workflow run's commit, ref and pull request, as the gate's inputs want them. */
function runFacts(ctx) {
    return {
        onCi: true,
        git: { commit: ctx.sha, ref: ctx.ref, isDefaultBranch: isDefaultBranchRun(ctx) },
        changeRequest: isPullRequestEvent(ctx.eventName) ? `${ctx.eventName} run` : undefined,
    };
}
const githubPlatform = {
    name: 'github',
    detect: (env) => env.GITHUB_ACTIONS === 'true',
    facts: (env) => runFacts(readRunContext(env)),
    async publish(result, run) {
        if (run.baseline && result.baselineUpdated) {
            run.log.warning(`k6-gate: update-baseline: ${run.baseline.proposal} is done by the action (uses: k6-gate/k6-gate), not the CLI; ${run.baseline.file} is updated in place`);
        }
        run.log.debug('k6-gate: the CLI does not post to GitHub; the action (uses: k6-gate/k6-gate) writes the PR comment, job summary and outputs');
    },
    publishFailure: async () => undefined,
};

;// CONCATENATED MODULE: ./src/platform/gitlab/platform.ts
const gitlabPlatform = {
    name: 'gitlab',
    logSections: 'gitlab',
    detect: (env) => env.GITLAB_CI === 'true',
    facts: (env) => ({
        onCi: true,
        git: {
            commit: env.CI_COMMIT_SHA,
            ref: env.CI_COMMIT_REF_NAME,
            isDefaultBranch: env.CI_COMMIT_BRANCH !== undefined && env.CI_COMMIT_BRANCH === env.CI_DEFAULT_BRANCH,
        },
        changeRequest: env.CI_MERGE_REQUEST_IID ? 'merge request pipeline' : undefined,
    }),
    async publish(result, run) {
        const { publishGitLab } = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 5705));
        await publishGitLab(result, run);
    },
    async publishFailure(message, run) {
        const { publishGitLabFailure } = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 5705));
        await publishGitLabFailure(message, run);
    },
};

;// CONCATENATED MODULE: ./src/platform/local/platform.ts
const localPlatform = {
    name: 'local',
    detect: () => true,
    facts: (env) => ({ onCi: env.CI === 'true', git: { commit: env.GIT_COMMIT, ref: env.GIT_BRANCH } }),
    async publish(result, run) {
        if (run.baseline && result.baselineUpdated) {
            run.log.warning(`k6-gate: update-baseline: ${run.baseline.proposal} opens a pull or merge request only in a GitHub Action or GitLab job; here ${run.baseline.file} is updated in place`);
        }
    },
    publishFailure: async () => undefined,
};

;// CONCATENATED MODULE: ./src/platform/registry.ts
// The CI platforms the CLI knows, most specific first: the first whose `detect` says yes is the
// one a run reports to. Adding a platform is its folder under src/platform/ and one line here.



const PLATFORMS = [gitlabPlatform, githubPlatform, localPlatform];
/** The platform this process runs on; `local` (a laptop, another CI) when no other says yes. */
function detectPlatform(env) {
    return PLATFORMS.find((platform) => platform.detect(env)) ?? localPlatform;
}


/***/ }),

/***/ 7311:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   gC: () => (/* binding */ formatMde),
/* harmony export */   rO: () => (/* binding */ anyMde),
/* harmony export */   tT: () => (/* binding */ blindSpotText),
/* harmony export */   vm: () => (/* binding */ mdeCell)
/* harmony export */ });
/* unused harmony exports cannotSeeTolerance, historyReach */
/* harmony import */ var _baseline_compare_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6228);
/* harmony import */ var _baseline_power_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9646);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6264);
// What the report says about the smallest change each watched stat could see (its minimum detectable
// effect, `mde`): the table's "Can see ≥" cell, and, when a stat cannot see its own tolerance, one
// plain sentence with advice that is true for where the noise came from. Pure: data in, text out;
// the Markdown report and gate-report.html both use it, each with its own escaping.
//
// The advice depends on the noise source, never on a guess:
// - history mode: the noise is the spread of the accepted runs (other jobs, other days, other
//   runners). A longer run shrinks only its within-run part, so no "run longer" number is given;
//   more history helps down to (z₁₋α/₂ + z₁₋β)·s and no further (power.ts computes how many runs);
//   A/B mode with `baseline-target` removes the between-job drift.
// - a duet: the noise is the spread between windows of one job; it shrinks roughly as 1/√duration,
//   so a longer duet (`max-duration`) helps. No number: the windows' autocorrelation decides it.



/** A rounded-up amount: a MDE shown smaller than it is would promise too much. */
function ceilTo(value, digits) {
    const factor = 10 ** digits;
    const up = Math.ceil(value * factor - 1e-9) / factor;
    // trimNumber drops trailing zeros after a point only when there is one: 50 stays 50.
    return digits === 0 ? String(up) : (0,_format_js__WEBPACK_IMPORTED_MODULE_1__/* .trimNumber */ .OM)(up, digits);
}
/** `27%`, `4.5%`, `0.31 pp`: a MDE in the terms of its row (relative, or absolute for ratios). */
function formatMde(mde, unit) {
    if (unit === 'ratio')
        return `${ceilTo(mde * 100, 2)} pp`;
    const percent = mde * 100;
    return `${ceilTo(percent, percent >= 10 ? 0 : 1)}%`;
}
/**
 * True when the row's MDE is larger than its relative tolerance: changes of the tolerance's size go
 * unseen. Ratios are left out: their MDE is absolute, their limit the wider of the tolerance and
 * the noise floor, so the two are not comparable in one number.
 */
function cannotSeeTolerance(row) {
    return row.mde !== undefined && row.unit !== 'ratio' && row.tolerance > 0 && row.mde > row.tolerance;
}
/** The table cell: `27%`, with ⚠️ when the tolerance is out of sight; `—` without a MDE. */
function mdeCell(row) {
    if (row.mde === undefined)
        return '—';
    return `${formatMde(row.mde, row.unit)}${cannotSeeTolerance(row) ? ' ⚠️' : ''}`;
}
/** Whether a table of these rows needs the column at all. */
function anyMde(rows) {
    return rows.some((row) => row.mde !== undefined);
}
function historyReach(row) {
    const basis = row.mdeBasis;
    if (!basis || basis.source !== 'history' || row.unit === 'ratio')
        return undefined;
    const options = { alpha: basis.alpha, power: basis.power };
    const unlimited = (0,_baseline_power_js__WEBPACK_IMPORTED_MODULE_2__/* .mdeUnlimitedHistory */ .K5)(basis.spread, options);
    if (basis.scale === 'log') {
        const worse = (0,_baseline_compare_js__WEBPACK_IMPORTED_MODULE_0__/* .worseWay */ .A4)(row.direction);
        // A tolerance of 100 % or more down is no limit on the log scale.
        if (worse === 'down' && row.tolerance >= 1)
            return undefined;
        return {
            runs: (0,_baseline_power_js__WEBPACK_IMPORTED_MODULE_2__/* .historyRunsFor */ .iM)((0,_baseline_power_js__WEBPACK_IMPORTED_MODULE_2__/* .logRatioTowards */ .cx)(row.tolerance, worse), basis.spread, options),
            best: (0,_baseline_power_js__WEBPACK_IMPORTED_MODULE_2__/* .relativeTowards */ .ny)(unlimited, worse),
        };
    }
    // Linear scale: the MDE was divided by the accepted value; do the same to the target.
    const accepted = Math.abs(row.baseline ?? 0);
    if (!(accepted > 0))
        return undefined;
    return { runs: (0,_baseline_power_js__WEBPACK_IMPORTED_MODULE_2__/* .historyRunsFor */ .iM)(row.tolerance * accepted, basis.spread, options), best: unlimited / accepted };
}
function list(items) {
    if (items.length <= 1)
        return items.join('');
    return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
/**
 * The plain sentence for the rows that cannot see their tolerance, or '' when every row can:
 * "this gate can only see changes ≥ 45% on p(95); the tolerance is 10%", then (with `advice`) what
 * would help for where the noise came from.
 */
function blindSpotText(rows, say, advice) {
    const blind = rows.filter(cannotSeeTolerance);
    if (blind.length === 0)
        return '';
    const tolerances = new Set(blind.map((row) => row.tolerance));
    const oneTolerance = tolerances.size === 1;
    // A duet's tolerance is its practical size (ab-min-effect), and its table says so.
    const limit = blind.every((row) => row.method === 'duet') ? 'practical size' : 'tolerance';
    const items = blind.map((row) => `≥ ${formatMde(row.mde, row.unit)} on ${say.name(row)}${oneTolerance ? '' : ` (${limit} ${(0,_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatPercent */ .l9)(row.tolerance)})`}`);
    const sentences = [
        `This gate can only see changes ${list(items)}${oneTolerance ? `; the ${limit} is ${(0,_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatPercent */ .l9)(blind[0].tolerance)}` : ''}: smaller regressions pass unseen.`,
    ];
    if (!advice)
        return sentences.join(' ');
    const history = blind.filter((row) => row.mdeBasis?.source === 'history');
    if (history.length > 0) {
        const n = Math.max(...history.map((row) => row.samples));
        sentences.push(`Its noise is the spread of the ${n} accepted runs of the history (other jobs, other runners): a longer run shrinks only its own sampling part, not the drift between jobs.`);
        const reaches = history.map((row) => ({ row, reach: historyReach(row) })).filter((x) => x.reach !== undefined);
        const unreachable = reaches.filter((x) => x.reach.runs === undefined);
        if (unreachable.length > 0) {
            const worst = unreachable.reduce((a, x) => (x.reach.best > a.reach.best ? x : a));
            sentences.push(worst.reach.best > worst.row.tolerance
                ? `More history cannot fix it: even unlimited history at this spread would see only ≥ ${formatMde(worst.reach.best, worst.row.unit)} on ${say.name(worst.row)}.`
                : `More history would take over ${_baseline_power_js__WEBPACK_IMPORTED_MODULE_2__/* .HISTORY_SEARCH_LIMIT */ .O} runs at this spread.`);
        }
        else if (reaches.length > 0) {
            const runs = Math.max(...reaches.map((x) => x.reach.runs));
            sentences.push(`A history of ≥ ${runs} runs at this spread would see the tolerance (if ${say.code('history-limit')} keeps that many).`);
        }
        sentences.push(`A/B mode (${say.code('baseline-target')}) measures both versions in the same job and removes the drift between jobs.`);
    }
    if (blind.some((row) => row.method === 'duet')) {
        sentences.push(`In the duet the noise is the spread between its windows, which shrinks roughly as 1/√duration: a longer ${say.code('max-duration')} sees smaller changes.`);
    }
    return sentences.join(' ');
}


/***/ }),

/***/ 4031:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DV: () => (/* binding */ codeBlock),
/* harmony export */   SS: () => (/* binding */ codeSpan),
/* harmony export */   fd: () => (/* binding */ escapeProse),
/* harmony export */   xR: () => (/* binding */ tableCell)
/* harmony export */ });
// Escaping for the places a string lands in a report. Metric and tag names, check names, threshold
// expressions, endpoint names and the text of a script's exception come from the k6 script, which a
// fork's pull request controls: none of them may close a code span, start a link, an image or raw
// HTML, mention a person or reference an issue in the PR comment, the MR note or the job summary.
// Pure.
/** The longest run of backticks in `text`. */
function longestBacktickRun(text) {
    let longest = 0;
    for (const run of text.match(/`+/g) ?? [])
        longest = Math.max(longest, run.length);
    return longest;
}
function oneLine(text) {
    return text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}
/**
 * A code span that shows `text` literally. A backtick inside cannot end it: the fence is one
 * backtick longer than the longest run inside (CommonMark), with a space of padding when the text
 * starts or ends with a backtick. Inside a code span nothing is a link, HTML, mention or reference.
 * For a table cell, pass the result through tableCell.
 */
function codeSpan(text) {
    const line = oneLine(text);
    if (line.trim() === '')
        return '_(empty)_';
    const fence = '`'.repeat(longestBacktickRun(line) + 1);
    const pad = line.startsWith('`') || line.endsWith('`') || (line.startsWith(' ') && line.endsWith(' ')) ? ' ' : '';
    return `${fence}${pad}${line}${pad}${fence}`;
}
/**
 * A table cell: GitHub and GitLab split a row at every `|` not preceded by a backslash, inside code
 * spans too, and then drop that one backslash; so every `|` gets one, whatever precedes it.
 */
function tableCell(markdown) {
    return oneLine(markdown).replace(/\|/g, '\\|');
}
// Things GitHub and GitLab turn into links or notifications after Markdown parsing (so a backslash
// does not stop them): bare URLs (without the punctuation that ends a sentence), e-mail addresses,
// `@name` mentions and `#12` / `owner/repo#12` / `!12` references.
// In a code span they stay text.
const LIVE = /\b(?:https?|ftp):\/\/[^\s<>`]*[^\s<>`.,:;!?'")\]]|\bwww\.[^\s<>`]*[^\s<>`.,:;!?'")\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w`])@[\w][\w./-]*|(?<![\w`])(?:[\w.-]+\/[\w.-]+)?[#!]\d+\b/g;
/**
 * The characters that start a code span, a link or image (`[`), raw HTML or an autolink (`<`), an
 * entity (`&`), math (`$`), a table cell (`|`), emphasis or strikethrough, or escape another. The
 * rest stay as they are, so report.md stays readable as plain text (prose lands mid-line, where `#`,
 * `-` and `1.` start nothing; an underscore inside a word is not emphasis).
 */
const PUNCTUATION = /[\\`[\]<>&$|*~]/g;
/** Text that must read as written: Markdown punctuation escaped (no emphasis, links, HTML, code). */
function literal(text) {
    return text.replace(PUNCTUATION, (c) => `\\${c}`);
}
/**
 * Prose that may hold strings from a script (an error message, a warning, a note): shown as
 * written on one line, with URLs, mentions and references as code spans so they stay inert.
 */
function escapeProse(text) {
    const line = oneLine(text);
    let out = '';
    let last = 0;
    for (const match of line.matchAll(LIVE)) {
        const index = match.index ?? 0;
        out += literal(line.slice(last, index)) + codeSpan(match[0]);
        last = index + match[0].length;
    }
    return out + literal(line.slice(last));
}
/** A fenced code block holding `text` verbatim (several lines, e.g. a script's exception). */
function codeBlock(text, info = 'text') {
    const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
    return `${fence}${info}\n${text.replace(/\r\n?/g, '\n').replace(/\n+$/, '')}\n${fence}`;
}


/***/ }),

/***/ 4512:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $p: () => (/* binding */ scenarioOutcome),
/* harmony export */   Cq: () => (/* binding */ failuresFirst),
/* harmony export */   LS: () => (/* binding */ plural),
/* harmony export */   Pl: () => (/* binding */ headline),
/* harmony export */   S9: () => (/* binding */ scenarioIcon),
/* harmony export */   b2: () => (/* binding */ scenarioLabel),
/* harmony export */   ov: () => (/* binding */ errorCause)
/* harmony export */ });
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6264);
// What a run came to, in one line: the headline of the report, the PR comment, the MR note and the
// notifications, and the readable name of a scenario run. The one headline map. Pure.

const HEADLINE = {
    passed: '✅ k6-gate: passed',
    inconclusive: '❔ k6-gate: inconclusive, the numbers could not decide',
    regressed: '❌ k6-gate: performance regressed',
    'thresholds-failed': '❌ k6-gate: k6 thresholds crossed',
    error: '💥 k6-gate: the load test could not run',
};
/** Messages of the problems k6-gate reports as "config error: …" (a watch list naming no metric, …). */
const BAD_INPUT = /^config error\b/i;
function errorCause(result) {
    if (result.cancelled)
        return 'cancelled';
    if (result.outcome !== 'error')
        return undefined;
    if (result.badInput)
        return 'bad-input';
    const errors = result.scenarios.filter((s) => s.error).map((s) => s.error);
    return errors.length > 0 && errors.every((e) => BAD_INPUT.test(e)) ? 'bad-input' : 'error';
}
/** `✅ k6-gate: passed`, `⛔ k6-gate: cancelled (SIGTERM)`, `💥 k6-gate: bad input, nothing was measured`, … */
function headline(result) {
    switch (errorCause(result)) {
        case 'cancelled':
            return `⛔ k6-gate: cancelled (${result.cancelled})`;
        case 'bad-input':
            return '💥 k6-gate: bad input';
        default:
            return HEADLINE[result.outcome];
    }
}
const SCENARIO_OUTCOME = {
    passed: 'passed',
    inconclusive: 'inconclusive',
    regressed: 'regressed',
    'thresholds-failed': 'thresholds crossed',
    error: 'error',
};
function scenarioIcon(outcome) {
    return outcome === 'passed' ? '✅' : outcome === 'inconclusive' ? '❔' : outcome === 'error' ? '💥' : '❌';
}
/** A scenario's outcome in words: `thresholds crossed`, `error`. */
function scenarioOutcome(outcome) {
    return SCENARIO_OUTCOME[outcome];
}
/**
 * The name a reader knows a scenario run by: `checkout` or `checkout · profile smoke` (the
 * environment is the report's own). Never the baseline key, whose empty parts read `big-b@@demo`.
 */
function scenarioLabel(s) {
    return s.profile ? `${s.scenario} · profile ${s.profile}` : s.scenario;
}
/** Worst first: error, thresholds crossed, regressed, inconclusive, passed; the given order among equals. */
const OUTCOME_RANK = { error: 0, 'thresholds-failed': 1, regressed: 2, inconclusive: 3, passed: 4 };
function failuresFirst(items) {
    return items
        .map((item, index) => ({ item, index }))
        .sort((a, b) => OUTCOME_RANK[a.item.outcome] - OUTCOME_RANK[b.item.outcome] || a.index - b.index)
        .map((x) => x.item);
}
/** `1 regression`, `2 crossed thresholds`. */
function plural(count, singular, pluralForm = `${singular}s`) {
    return `${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatCount */ .B4)(count)} ${count === 1 ? singular : pluralForm}`;
}


/***/ }),

/***/ 6433:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   At: () => (/* binding */ GATE_REPORT_FILE),
/* harmony export */   w4: () => (/* binding */ renderHtmlReport)
/* harmony export */ });
/* unused harmony exports historyChart, ratioChart, duetChart */
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6264);
/* harmony import */ var _detectable_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7311);
/* harmony import */ var _junit_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(2998);
/* harmony import */ var _markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(8822);
// The gate's result as one self-contained HTML page (gate-report.html): a picture where people would
// rather look than read. Pure: takes a GateResult, returns text.
//
// Per scenario, failures first: one chart per watched stat with the baseline's accepted runs, the
// band the verdict allowed, the tolerance line and this run (the last point); in A/B mode the B/A
// ratio of every round; then the per-endpoint table. Nothing is fetched: the charts are inline SVG,
// the styles inline, no script, no font or image from elsewhere, and a Content-Security-Policy
// that forbids any request, so the page shows the same offline, in an artifact viewer or a browser.
// Every string from the run (scenario, metric, endpoint, tag names: a script a fork controls writes
// them) goes through escapeXml. The name is not report.html: that is k6's own web dashboard, which
// the GitLab job exposes under that name (platform/gitlab/publish.ts).




const GATE_REPORT_FILE = 'gate-report.html';
const OUTCOME_ORDER = ['error', 'thresholds-failed', 'regressed', 'inconclusive', 'passed'];
const VERDICT_ORDER = ['regressed', 'missing', 'inconclusive', 'improved', 'new', 'unchanged'];
const WIDTH = 520;
const HEIGHT = 170;
const PAD = { left: 70, right: 16, top: 14, bottom: 26 };
const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; } h3 { font-size: 1rem; }
.badge { display: inline-block; padding: 0 .5em; border-radius: 1em; font-weight: 600; }
.passed { background: #dafbe1; color: #116329; } .regressed, .error, .thresholds-failed { background: #ffebe9; color: #a40e26; }
.inconclusive { background: #fff8c5; color: #7d4e00; }
.meta { color: #57606a; } .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem; }
figcaption { max-width: ${WIDTH}px; font-size: 12px; color: #57606a; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: .2rem .5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; } pre { white-space: pre-wrap; background: #f6f8fa; padding: .5rem; }
svg text { font: 11px system-ui, sans-serif; fill: #57606a; }
.blind-spot { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .5rem; }
`;
function scaleFor(count, values) {
    let low = Math.min(...values);
    let high = Math.max(...values);
    if (high === low) {
        const pad = Math.abs(high) * 0.1 || 1;
        low -= pad;
        high += pad;
    }
    const margin = (high - low) * 0.08;
    low -= margin;
    high += margin;
    const plotW = WIDTH - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    return {
        x: (i) => PAD.left + (count <= 1 ? plotW / 2 : (i / (count - 1)) * plotW),
        y: (v) => PAD.top + (1 - (v - low) / (high - low)) * plotH,
    };
}
const n = (value) => value.toFixed(1);
/** A horizontal line across the plot with its label at the left. */
function hline(scale, value, label, style) {
    const y = n(scale.y(value));
    return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" ${style}/><text x="${PAD.left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(label)}</text>`;
}
/** The value the tolerance allows at most (lower is better) or at least (higher is better). */
function toleranceLimit(row) {
    if (row.baseline === undefined || !(row.tolerance > 0))
        return undefined;
    return row.direction === 'lower-is-better' ? row.baseline * (1 + row.tolerance) : row.baseline * (1 - row.tolerance);
}
/** The baseline's accepted runs, the allowed band, the tolerance line and this run (the last point). */
function historyChart(row, history) {
    const values = history.length > 0 ? history : row.current !== undefined ? [row.current] : [];
    const limit = toleranceLimit(row);
    const all = [...values, ...(row.band ? [row.band.low, row.band.high] : []), ...(row.baseline !== undefined ? [row.baseline] : [])];
    if (limit !== undefined)
        all.push(limit);
    const title = `${row.metric} ${row.stat}`;
    if (all.length === 0)
        return '';
    const scale = scaleFor(values.length, all);
    const parts = [];
    if (row.band) {
        const top = scale.y(Math.max(row.band.low, row.band.high));
        const bottom = scale.y(Math.min(row.band.low, row.band.high));
        parts.push(`<rect class="band" x="${PAD.left}" y="${n(top)}" width="${WIDTH - PAD.left - PAD.right}" height="${n(Math.max(bottom - top, 1))}" fill="#ddf4ff"><title>band ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(row.band.low, row.unit))} .. ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(row.band.high, row.unit))}</title></rect>`);
    }
    if (row.baseline !== undefined)
        parts.push(hline(scale, row.baseline, (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(row.baseline, row.unit), 'stroke="#8c959f"'));
    if (limit !== undefined) {
        parts.push(`<g class="tolerance">${hline(scale, limit, (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(limit, row.unit), 'stroke="#cf222e" stroke-dasharray="5 4"')}<title>tolerance ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatPercent */ .l9)(row.tolerance))}</title></g>`);
    }
    const points = values.map((v, i) => `${n(scale.x(i))},${n(scale.y(v))}`);
    if (points.length > 1)
        parts.push(`<polyline class="history" points="${points.join(' ')}" fill="none" stroke="#0969da" stroke-width="1.5"/>`);
    values.forEach((v, i) => {
        const current = i === values.length - 1;
        const colour = current ? (row.verdict === 'regressed' ? '#cf222e' : row.verdict === 'improved' ? '#1a7f37' : '#0969da') : '#0969da';
        parts.push(`<circle class="${current ? 'current' : 'run'}" cx="${n(scale.x(i))}" cy="${n(scale.y(v))}" r="${current ? 5 : 2.5}" fill="${colour}"><title>${current ? 'this run' : `accepted run ${i + 1}`}: ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(v, row.unit))}</title></circle>`);
    });
    parts.push(`<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">${values.length > 1 ? 'accepted runs, this run last' : 'this run'}</text>`);
    return `<svg class="chart history-chart" role="img" aria-label="${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(title)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(title)}</title>${parts.join('')}</svg>`;
}
/** A/B mode: B/A of every round, in run order, with the line of no change and the median. */
function ratioChart(row) {
    const a = row.abBaseline ?? [];
    const b = row.runs ?? [];
    const rounds = a.flatMap((value, i) => (value > 0 && b[i] !== undefined ? [{ a: value, b: b[i], ratio: b[i] / value }] : []));
    const ratios = rounds.map((round) => round.ratio);
    if (ratios.length === 0)
        return '';
    const sorted = [...ratios].sort((x, y) => x - y);
    const middle = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    // The 95 % interval of the median pair ratio, the same one the Markdown A/B table gives.
    const interval = (0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__/* .abNumbers */ .G_)(row)?.interval;
    const ends = interval && interval.low !== undefined && interval.high !== undefined ? [1 + interval.low, 1 + interval.high] : undefined;
    const scale = scaleFor(ratios.length, [...ratios, 1, ...(ends ?? [])]);
    const parts = [];
    if (ends) {
        const top = scale.y(ends[1]);
        parts.push(`<rect class="interval" x="${PAD.left}" y="${n(top)}" width="${WIDTH - PAD.left - PAD.right}" height="${n(Math.max(scale.y(ends[0]) - top, 1))}" fill="#fbefff"><title>95% interval of the median B/A: ${ends[0].toFixed(3)} .. ${ends[1].toFixed(3)}</title></rect>`);
    }
    parts.push(hline(scale, 1, '1.00', 'stroke="#8c959f"'), hline(scale, middle, middle.toFixed(2), 'stroke="#8250df" stroke-dasharray="3 3"'));
    rounds.forEach((round, i) => parts.push(`<circle class="round" cx="${n(scale.x(i))}" cy="${n(scale.y(round.ratio))}" r="3.5" fill="#8250df"><title>round ${i + 1}: A ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(round.a, row.unit))}, B ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(round.b, row.unit))}, B/A ${round.ratio.toFixed(3)}</title></circle>`));
    parts.push(`<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">B/A per round, in run order; dashed: median${ends ? '; shaded: its 95% interval' : ''}</text>`);
    const title = `${row.metric} ${row.stat} B/A per round`;
    return `<svg class="chart ratio-chart" role="img" aria-label="${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(title)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(title)}</title>${parts.join('')}</svg>`;
}
/**
 * A duet row: B's change against A on one axis, with the interval the decision found, the floor
 * either way (changes inside it are not called) and the margin of "equivalent" (shaded).
 */
function duetChart(row, d) {
    if (d.change === undefined)
        return '';
    const [low, high] = d.interval ?? [d.change, d.change];
    const floor = d.floor.value;
    const reach = Math.max(Math.abs(low), Math.abs(high), floor, d.margin) * 1.15 || 0.01;
    // Symmetric about no change: the axis needs no room for value labels at its left.
    const left = PAD.right;
    const plotW = WIDTH - 2 * left;
    const x = (v) => left + ((v + reach) / (2 * reach)) * plotW;
    const top = PAD.top + 6;
    const bottom = HEIGHT - PAD.bottom;
    const mid = (top + bottom) / 2;
    const size = (v) => (d.difference ? (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatPointChange */ .eS)(v) : (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatChange */ .eD)(v));
    const parts = [
        `<text x="${left}" y="${PAD.top - 2}">B against A over ${d.windows} paired windows</text>`,
        `<rect class="margin" x="${n(x(-d.margin))}" y="${top}" width="${n(x(d.margin) - x(-d.margin))}" height="${bottom - top}" fill="#dafbe1"><title>equivalent within ±${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(size(d.margin).replace(/^\+/, ''))}</title></rect>`,
        `<line x1="${n(x(0))}" x2="${n(x(0))}" y1="${top}" y2="${bottom}" stroke="#8c959f"/>`,
    ];
    if (floor > 0) {
        for (const v of [-floor, floor]) {
            parts.push(`<line class="floor" x1="${n(x(v))}" x2="${n(x(v))}" y1="${top}" y2="${bottom}" stroke="#cf222e" stroke-dasharray="5 4"><title>floor ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__/* .duetFloorCell */ .Vx)(d))}</title></line>`);
        }
    }
    const colour = row.verdict === 'regressed' ? '#cf222e' : row.verdict === 'improved' ? '#1a7f37' : '#0969da';
    parts.push(`<line class="interval" x1="${n(x(low))}" x2="${n(x(high))}" y1="${n(mid)}" y2="${n(mid)}" stroke="${colour}" stroke-width="4"><title>interval ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(size(low))} … ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(size(high))}</title></line>`, `<circle class="change" cx="${n(x(d.change))}" cy="${n(mid)}" r="5" fill="${colour}"><title>B/A ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__/* .duetChangeCell */ .XW)(d))}</title></circle>`, `<text x="${left}" y="${HEIGHT - 8}">${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(size(-reach))}</text>`, `<text x="${n(x(0))}" y="${HEIGHT - 8}" text-anchor="middle">${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(size(0))}</text>`, `<text x="${WIDTH - left}" y="${HEIGHT - 8}" text-anchor="end">${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(size(reach))}</text>`);
    const title = `${row.metric} ${row.stat} B against A`;
    return `<svg class="chart duet-chart" role="img" aria-label="${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(title)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(title)}</title>${parts.join('')}</svg>`;
}
/** The duet's table: the same columns and words as the Markdown report's. */
function duetTableHtml(scenario, rows) {
    const head = ['Metric', 'Stat', ..._markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__/* .DUET_HEADER */ .TX].map((h) => `<th>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(h)}</th>`).join('');
    const body = rows.map((row) => `<tr><td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(row.metric)}</td><td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(row.stat)}</td>${(0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__/* .duetCells */ .mq)(row, (0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__/* .duetNumbers */ .VF)(scenario, row))
        .map((cell) => `<td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(cell)}</td>`)
        .join('')}</tr>`);
    return `<table class="duet"><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}
/** The duet's rows: the table, then one chart per row of B's change against A. */
function duetSection(scenario, rows) {
    const parts = [
        '<h3>Duet: A (baseline-target) and B (target) measured at the same time</h3>',
        '<p class="meta">Each chart: B against A over the paired windows; dot: the change, bar: its interval, red dashes: the floor (smaller changes are not called), green: what equivalent allows.</p>',
        duetTableHtml(scenario, rows),
        '<div class="charts">',
    ];
    for (const row of rows) {
        const d = (0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__/* .duetNumbers */ .VF)(scenario, row);
        const chart = d ? duetChart(row, d) : '';
        if (chart)
            parts.push(`<figure>${chart}<figcaption><strong>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(`${row.metric} ${row.stat}`)}</strong>: ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_2__/* .duetCells */ .mq)(row, d).at(-1))}</figcaption></figure>`);
    }
    parts.push('</div>');
    return parts;
}
function endpointTable(endpoints) {
    const rows = endpoints.map((e) => `<tr><td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(e.endpoint)}</td><td>${e.requests}</td><td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(e.failureRate, 'ratio'))}</td><td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(e.med, 'ms'))}</td><td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(e.p95, 'ms'))}</td><td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatValue */ .Fl)(e.baselineP95, 'ms'))}</td><td>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .formatChange */ .eD)(e.p95Change))}</td></tr>`);
    return `<table class="endpoints"><thead><tr><th>Endpoint</th><th>Requests</th><th>Failed</th><th>Median</th><th>p(95)</th><th>Baseline p(95)</th><th>Change</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
function scenarioSection(scenario) {
    const parts = [
        `<section class="scenario"><h2>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(scenario.key)} <span class="badge ${scenario.outcome}">${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(scenario.outcome)}</span></h2>`,
    ];
    if (scenario.error)
        parts.push(`<pre class="cause">${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(scenario.error)}</pre>`);
    else if (scenario.inconclusive)
        parts.push(`<p class="cause inconclusive">Inconclusive: ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(scenario.inconclusive)}</p>`);
    if (scenario.verdictNote)
        parts.push(`<p class="verdict-note"><strong>Verdict:</strong> ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(scenario.verdictNote)}</p>`);
    const sorted = [...scenario.metrics].sort((x, y) => VERDICT_ORDER.indexOf(x.verdict) - VERDICT_ORDER.indexOf(y.verdict));
    // Escaped as a whole below: names and code spans stay plain text here.
    const blind = (0,_detectable_js__WEBPACK_IMPORTED_MODULE_0__/* .blindSpotText */ .tT)(sorted, { name: (row) => `${row.metric} ${row.stat}`, code: (text) => text }, true);
    if (blind)
        parts.push(`<p class="blind-spot">⚠️ ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(blind)}</p>`);
    // One section per way the rows were decided: a duet has no history to draw.
    const duet = sorted.filter((row) => row.method === 'duet');
    if (duet.length > 0)
        parts.push(...duetSection(scenario, duet));
    const rows = sorted.filter((row) => row.method !== 'duet');
    if (rows.length > 0) {
        parts.push('<h3>Watched stats</h3><p class="meta">Blue band: where this run was allowed to be; grey line: the accepted value; red dashes: the tolerance limit; the last point is this run.</p>');
        parts.push('<div class="charts">');
        for (const row of rows) {
            const history = scenario.trend?.find((t) => t.metric === row.metric && t.stat === row.stat)?.values ?? [];
            const canSee = row.mde === undefined ? '' : ` — can see changes ≥ ${(0,_detectable_js__WEBPACK_IMPORTED_MODULE_0__/* .formatMde */ .gC)(row.mde, row.unit)}`;
            parts.push(`<figure>${historyChart(row, history)}<figcaption><strong>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(`${row.metric} ${row.stat}`)}</strong>: ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(row.verdict)} — ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(row.note)}${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(canSee)}</figcaption></figure>`);
        }
        parts.push('</div>');
    }
    const ab = rows.filter((row) => (row.abBaseline?.length ?? 0) > 0);
    if (ab.length > 0) {
        parts.push('<h3>A/B rounds</h3><div class="charts">');
        for (const row of ab)
            parts.push(`<figure>${ratioChart(row)}<figcaption>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(`${row.metric} ${row.stat}`)}: ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(row.note)}</figcaption></figure>`);
        parts.push('</div>');
    }
    const endpoints = scenario.analysis?.endpoints ?? [];
    if (endpoints.length > 0)
        parts.push(`<h3>Endpoints</h3>${endpointTable(endpoints)}`);
    parts.push('</section>');
    return parts.join('\n');
}
/** The whole page. */
function renderHtmlReport(result) {
    const scenarios = [...result.scenarios].sort((x, y) => OUTCOME_ORDER.indexOf(x.outcome) - OUTCOME_ORDER.indexOf(y.outcome));
    const meta = [
        result.environment && `environment ${result.environment}`,
        result.target && `target ${result.target}`,
        result.k6 && `k6 ${result.k6.version}`,
        `k6-gate ${result.tool.version}`,
        result.generatedAt,
    ].filter(Boolean);
    const warnings = result.warnings.length
        ? `<ul class="warnings">${result.warnings.map((w) => `<li>${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(w)}</li>`).join('')}</ul>`
        : '';
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>k6-gate: ${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(result.outcome)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>k6-gate <span class="badge ${result.outcome}">${(0,_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X)(result.outcome)}</span></h1>
<p class="meta">${meta.map(_junit_js__WEBPACK_IMPORTED_MODULE_1__/* .escapeXml */ .X).join(' · ')} — ${result.regressions} regression(s), ${result.thresholdsFailed} crossed threshold(s)${result.failed ? ', the gate fails the job' : ''}</p>
${warnings}
${scenarios.map(scenarioSection).join('\n')}
</body>
</html>
`;
}


/***/ }),

/***/ 2998:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Gl: () => (/* binding */ JUNIT_FILE),
/* harmony export */   X: () => (/* binding */ escapeXml),
/* harmony export */   dB: () => (/* binding */ renderJUnit)
/* harmony export */ });
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6264);
/* harmony import */ var _detectable_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7311);
/* harmony import */ var _markdown_rows_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8822);
// The gate's result as JUnit XML, which GitLab shows in merge requests (and most CI systems read).
// Pure: takes a GateResult, returns text.
//
// One <testsuite> per scenario run; inside it one <testcase> per watched metric and one per k6
// threshold. A regression or a crossed threshold is a <failure>; a run that could not happen is an
// <error>, so "the test is broken" never reads like "the code got slower". An inconclusive verdict is
// a <skipped> case named "verdict" (and a duet stat left undecided a <skipped> metric): JUnit has no
// "undecided", and skipped is the one state every reader shows as neither passed nor failed, which is
// what it is; a <failure> would say the code got slower, an <error> that the test is broken. Whether
// it fails the job is `fail-on`'s call, not the report's.



const JUNIT_FILE = 'junit.xml';
/** Removes what XML 1.0 forbids (most control characters, lone surrogates), then escapes markup. */
function escapeXml(text) {
    return text
        .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&apos;');
}
function metricCase(scenario, row) {
    const base = {
        name: `${row.metric} ${row.stat}`,
        classname: `k6-gate.${scenario.key}.metrics`,
        systemOut: row.note,
    };
    if (row.verdict === 'regressed') {
        return { ...base, failure: { type: 'regression', message: `regressed: ${row.note}`, text: describeRow(scenario, row) } };
    }
    if (row.verdict === 'inconclusive')
        return { ...base, skipped: `inconclusive: ${row.note}` };
    if (row.verdict === 'missing') {
        if (row.severity === 'error') {
            return { ...base, failure: { type: 'missing-metric', message: `missing: ${row.note}`, text: describeRow(scenario, row) } };
        }
        return { ...base, skipped: `missing (warning): ${row.note}` };
    }
    return base;
}
function describeRow(scenario, row) {
    const duet = (0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_1__/* .duetNumbers */ .VF)(scenario, row);
    if (duet) {
        // A duet compares two targets measured at the same time: no baseline, no accepted band.
        return [
            `metric: ${row.metric}`,
            `stat: ${row.stat}`,
            `A (baseline-target): ${row.baseline ?? 'none'} ${row.unit}`,
            `B (target): ${row.current ?? 'none'} ${row.unit}`,
            `change B/A (interval): ${(0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_1__/* .duetChangeCell */ .XW)(duet)}`,
            `floor: ${(0,_markdown_rows_js__WEBPACK_IMPORTED_MODULE_1__/* .duetFloorCell */ .Vx)(duet)}`,
            `method: duet, paired windows: ${duet.windows}${row.mde !== undefined ? `, can see ≥ ${(0,_detectable_js__WEBPACK_IMPORTED_MODULE_0__/* .formatMde */ .gC)(row.mde, row.unit)}` : ''}`,
        ].join('\n');
    }
    const lines = [
        `metric: ${row.metric}`,
        `stat: ${row.stat}`,
        `baseline: ${row.baseline ?? 'none'} ${row.unit}`,
        `current: ${row.current ?? 'none'} ${row.unit}`,
    ];
    if (row.change !== undefined)
        lines.push(`change: ${(0,_format_js__WEBPACK_IMPORTED_MODULE_2__/* .formatChange */ .eD)(row.change)}`);
    if (row.band)
        lines.push(`accepted band: ${row.band.low} .. ${row.band.high} ${row.unit}`);
    lines.push(`method: ${row.method}, samples: ${row.samples}, tolerance: ${(0,_format_js__WEBPACK_IMPORTED_MODULE_2__/* .formatPercent */ .l9)(row.tolerance)}`);
    return lines.join('\n');
}
function thresholdCase(scenario, threshold) {
    const base = {
        name: `threshold ${threshold.metric}: ${threshold.expression}`,
        classname: `k6-gate.${scenario.key}.thresholds`,
    };
    if (threshold.ok)
        return base;
    const actual = scenario.summary?.metrics[threshold.metric]?.values;
    const text = actual
        ? `${threshold.metric} measured ${Object.entries(actual)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`
        : `${threshold.metric} crossed its threshold`;
    return { ...base, failure: { type: 'threshold', message: `k6 threshold crossed: ${threshold.metric} ${threshold.expression}`, text } };
}
function scenarioCases(scenario) {
    const cases = [];
    if (scenario.outcome === 'error') {
        const message = scenario.error ?? scenario.exitMeaning ?? 'the k6 run failed';
        const text = [
            scenario.exitCode !== undefined
                ? `k6 exit code: ${scenario.exitCode}${scenario.exitMeaning ? ` (${scenario.exitMeaning})` : ''}`
                : 'k6 did not run',
            scenario.files.log ? `k6 log: ${scenario.files.log}` : undefined,
            scenario.exception ? `the script threw:\n${scenario.exception}` : undefined,
        ]
            .filter(Boolean)
            .join('\n');
        cases.push({
            name: 'k6 run',
            classname: `k6-gate.${scenario.key}`,
            timeSeconds: scenario.k6WallMs !== undefined ? scenario.k6WallMs / 1000 : undefined,
            error: { type: 'error', message, text },
        });
    }
    if (scenario.outcome === 'inconclusive') {
        cases.push({
            name: 'verdict',
            classname: `k6-gate.${scenario.key}`,
            timeSeconds: scenario.k6WallMs !== undefined ? scenario.k6WallMs / 1000 : undefined,
            skipped: `inconclusive: ${scenario.inconclusive ?? 'the numbers could not decide'}`,
        });
    }
    for (const row of scenario.metrics)
        cases.push(metricCase(scenario, row));
    for (const threshold of scenario.thresholds)
        cases.push(thresholdCase(scenario, threshold));
    return cases;
}
function renderCase(c) {
    const attrs = [`name="${escapeXml(c.name)}"`, `classname="${escapeXml(c.classname)}"`];
    if (c.timeSeconds !== undefined)
        attrs.push(`time="${c.timeSeconds.toFixed(3)}"`);
    const body = [];
    const element = (tag, v) => `      <${tag} message="${escapeXml(v.message)}" type="${escapeXml(v.type)}">${escapeXml(v.text)}</${tag}>`;
    if (c.error)
        body.push(element('error', c.error));
    if (c.failure)
        body.push(element('failure', c.failure));
    if (c.skipped !== undefined)
        body.push(`      <skipped message="${escapeXml(c.skipped)}"/>`);
    if (c.systemOut)
        body.push(`      <system-out>${escapeXml(c.systemOut)}</system-out>`);
    if (body.length === 0)
        return `    <testcase ${attrs.join(' ')}/>`;
    return [`    <testcase ${attrs.join(' ')}>`, ...body, '    </testcase>'].join('\n');
}
/** The whole report: `<testsuites>` with one `<testsuite>` per scenario run. */
function renderJUnit(result) {
    const suites = [];
    let total = 0;
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    for (const scenario of result.scenarios) {
        const cases = scenarioCases(scenario);
        const f = cases.filter((c) => c.failure).length;
        const e = cases.filter((c) => c.error).length;
        const s = cases.filter((c) => c.skipped !== undefined).length;
        total += cases.length;
        failures += f;
        errors += e;
        skipped += s;
        const attrs = [
            `name="${escapeXml(`k6-gate ${scenario.key}`)}"`,
            `tests="${cases.length}"`,
            `failures="${f}"`,
            `errors="${e}"`,
            `skipped="${s}"`,
            `timestamp="${escapeXml(result.generatedAt)}"`,
        ];
        if (scenario.k6WallMs !== undefined)
            attrs.push(`time="${(scenario.k6WallMs / 1000).toFixed(3)}"`);
        const properties = [
            ['outcome', scenario.outcome],
            ['scenario', scenario.scenario],
            ['profile', scenario.profile],
            ['target', result.target],
            ['environment', result.environment],
            ['k6.version', result.k6?.version],
        ]
            .filter((p) => p[1] !== undefined)
            .map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
        suites.push([
            `  <testsuite ${attrs.join(' ')}>`,
            '    <properties>',
            ...properties,
            '    </properties>',
            ...cases.map(renderCase),
            '  </testsuite>',
        ].join('\n'));
    }
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="k6-gate" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
        ...suites,
        '</testsuites>',
        '',
    ].join('\n');
}


/***/ }),

/***/ 9683:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Du: () => (/* binding */ LOAD_PERFORMANCE_FILE),
/* harmony export */   K3: () => (/* binding */ loadPerformanceSourceFile),
/* harmony export */   dS: () => (/* binding */ renderLoadPerformance),
/* harmony export */   jU: () => (/* binding */ gatingScenario)
/* harmony export */ });
/* harmony import */ var _k6_summary_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(817);
// GitLab's `artifacts:reports:load_performance` file. Pure: data in, text out.
//
// GitLab's merge-request widget compares this file between the source and target branch pipelines
// and reads exactly k6's legacy `--summary-export` shape: RPS from `metrics.http_reqs.rate`, TTFB
// from `metrics.http_req_waiting["p(90)"]` / `["p(95)"]`, checks from `metrics.checks.passes` and
// `.fails`. So the report is the gating scenario's legacy export copied byte for byte: nothing is
// lost, and what GitLab shows matches what k6 wrote. Only when no legacy export exists (k6 wrote
// the machine-readable summary alone) is the legacy shape rebuilt from the parsed summary.
//
// The gating scenario is the first configured scenario that produced a summary: the widget
// compares like with like only when the same scenario feeds it on both branches.

const LOAD_PERFORMANCE_FILE = 'load-performance.json';
/** The scenario whose numbers GitLab's load-performance widget shows. */
function gatingScenario(result) {
    return result.scenarios.find((s) => s.summary !== undefined);
}
/**
 * The results-dir file to copy as the report: the gating scenario's legacy summary export, when
 * that is what its summary was read from.
 */
function loadPerformanceSourceFile(result) {
    const scenario = gatingScenario(result);
    if (!scenario?.summary || scenario.summary.format !== 'legacy')
        return undefined;
    return scenario.files.summary;
}
function isLegacyExport(text) {
    try {
        const data = JSON.parse(text);
        return typeof data === 'object' && data !== null && typeof data.metrics === 'object';
    }
    catch {
        return false;
    }
}
/**
 * The load_performance report text, or undefined when no scenario produced a summary.
 * `legacySummaryText` is the content of `loadPerformanceSourceFile(result)` when it could be read.
 */
function renderLoadPerformance(result, legacySummaryText) {
    const scenario = gatingScenario(result);
    if (!scenario?.summary)
        return undefined;
    if (legacySummaryText !== undefined && isLegacyExport(legacySummaryText))
        return legacySummaryText;
    return (0,_k6_summary_js__WEBPACK_IMPORTED_MODULE_0__/* .legacySummaryExportText */ .jE)(scenario.summary);
}


/***/ }),

/***/ 8822:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  TX: () => (/* binding */ DUET_HEADER),
  G_: () => (/* binding */ abNumbers),
  QW: () => (/* binding */ abTable),
  C2: () => (/* binding */ changeOf),
  mq: () => (/* binding */ duetCells),
  XW: () => (/* binding */ duetChangeCell),
  Vx: () => (/* binding */ duetFloorCell),
  VF: () => (/* binding */ duetNumbers),
  Yo: () => (/* binding */ duetSize),
  Fq: () => (/* binding */ duetTable),
  f1: () => (/* binding */ historyTable),
  Bt: () => (/* binding */ intervalText),
  LF: () => (/* binding */ limitOf),
  TU: () => (/* binding */ metricClass),
  mc: () => (/* binding */ sortMetricRows),
  RU: () => (/* binding */ sortThresholds),
  tp: () => (/* binding */ table),
  G2: () => (/* binding */ thresholdTable)
});

// UNUSED EXPORTS: CAN_SEE, allowedCell

;// CONCATENATED MODULE: ./node_modules/markdown-table/index.js
// To do: next major: remove.
/**
 * @typedef {Options} MarkdownTableOptions
 *   Configuration.
 */

/**
 * @typedef Options
 *   Configuration.
 * @property {boolean | null | undefined} [alignDelimiters=true]
 *   Whether to align the delimiters (default: `true`);
 *   they are aligned by default:
 *
 *   ```markdown
 *   | Alpha | B     |
 *   | ----- | ----- |
 *   | C     | Delta |
 *   ```
 *
 *   Pass `false` to make them staggered:
 *
 *   ```markdown
 *   | Alpha | B |
 *   | - | - |
 *   | C | Delta |
 *   ```
 * @property {ReadonlyArray<string | null | undefined> | string | null | undefined} [align]
 *   How to align columns (default: `''`);
 *   one style for all columns or styles for their respective columns;
 *   each style is either `'l'` (left), `'r'` (right), or `'c'` (center);
 *   other values are treated as `''`, which doesn’t place the colon in the
 *   alignment row but does align left;
 *   *only the lowercased first character is used, so `Right` is fine.*
 * @property {boolean | null | undefined} [delimiterEnd=true]
 *   Whether to end each row with the delimiter (default: `true`).
 *
 *   > 👉 **Note**: please don’t use this: it could create fragile structures
 *   > that aren’t understandable to some markdown parsers.
 *
 *   When `true`, there are ending delimiters:
 *
 *   ```markdown
 *   | Alpha | B     |
 *   | ----- | ----- |
 *   | C     | Delta |
 *   ```
 *
 *   When `false`, there are no ending delimiters:
 *
 *   ```markdown
 *   | Alpha | B
 *   | ----- | -----
 *   | C     | Delta
 *   ```
 * @property {boolean | null | undefined} [fillRows=true]
 *   Whether to fill rows with empty cells up to the most cells in a row
 *   (default: `true`).
 *
 *   When `true`, all rows have as many cells as the longest row:
 *
 *   ```markdown
 *   | Alpha | B    |   |
 *   | ----- | ---- | - |
 *   | C     |      |   |
 *   | D     | Echo | F |
 *   ```
 *
 *   When `false`, rows keep their cells,
 *   and the delimiter row has as many cells as the header row:
 *
 *   ```markdown
 *   | Alpha | B    |
 *   | ----- | ---- |
 *   | C     |
 *   | D     | Echo | F |
 *   ```
 * @property {boolean | null | undefined} [delimiterStart=true]
 *   Whether to begin each row with the delimiter (default: `true`).
 *
 *   > 👉 **Note**: please don’t use this: it could create fragile structures
 *   > that aren’t understandable to some markdown parsers.
 *
 *   When `true`, there are starting delimiters:
 *
 *   ```markdown
 *   | Alpha | B     |
 *   | ----- | ----- |
 *   | C     | Delta |
 *   ```
 *
 *   When `false`, there are no starting delimiters:
 *
 *   ```markdown
 *   Alpha | B     |
 *   ----- | ----- |
 *   C     | Delta |
 *   ```
 * @property {boolean | null | undefined} [padding=true]
 *   Whether to add a space of padding between delimiters and cells
 *   (default: `true`).
 *
 *   When `true`, there is padding:
 *
 *   ```markdown
 *   | Alpha | B     |
 *   | ----- | ----- |
 *   | C     | Delta |
 *   ```
 *
 *   When `false`, there is no padding:
 *
 *   ```markdown
 *   |Alpha|B    |
 *   |-----|-----|
 *   |C    |Delta|
 *   ```
 * @property {((value: string) => number) | null | undefined} [stringLength]
 *   Function to detect the length of table cell content (optional);
 *   this is used when aligning the delimiters (`|`) between table cells;
 *   full-width characters and emoji mess up delimiter alignment when viewing
 *   the markdown source;
 *   to fix this, you can pass this function,
 *   which receives the cell content and returns its “visible” size;
 *   note that what is and isn’t visible depends on where the text is displayed.
 *
 *   Without such a function, the following:
 *
 *   ```js
 *   markdownTable([
 *     ['Alpha', 'Bravo'],
 *     ['中文', 'Charlie'],
 *     ['👩‍❤️‍👩', 'Delta']
 *   ])
 *   ```
 *
 *   Yields:
 *
 *   ```markdown
 *   | Alpha | Bravo |
 *   | - | - |
 *   | 中文 | Charlie |
 *   | 👩‍❤️‍👩 | Delta |
 *   ```
 *
 *   With [`string-width`](https://github.com/sindresorhus/string-width):
 *
 *   ```js
 *   import stringWidth from 'string-width'
 *
 *   markdownTable(
 *     [
 *       ['Alpha', 'Bravo'],
 *       ['中文', 'Charlie'],
 *       ['👩‍❤️‍👩', 'Delta']
 *     ],
 *     {stringLength: stringWidth}
 *   )
 *   ```
 *
 *   Yields:
 *
 *   ```markdown
 *   | Alpha | Bravo   |
 *   | ----- | ------- |
 *   | 中文  | Charlie |
 *   | 👩‍❤️‍👩    | Delta   |
 *   ```
 */

/**
 * Get the length of a cell.
 *
 * @param {string} value
 *   Cell value.
 * @returns {number}
 *   Cell size.
 */
function defaultStringLength(value) {
  return value.length
}

/**
 * Generate a markdown
 * ([GFM](https://docs.github.com/en/github/writing-on-github/working-with-advanced-formatting/organizing-information-with-tables))
 * table.
 *
 * @param {ReadonlyArray<ReadonlyArray<string | null | undefined>>} table
 *   Table data (matrix of strings).
 * @param {Readonly<Options> | null | undefined} [options]
 *   Configuration (optional).
 * @returns {string}
 *   Result.
 */
function markdownTable(table, options) {
  const settings = options || {}
  // To do: next major: change to spread.
  // eslint-disable-next-line unicorn/prefer-spread -- `align` can be a string.
  const align = (settings.align || []).concat()
  const stringLength = settings.stringLength || defaultStringLength
  /** @type {Array<number>} Character codes as symbols for alignment per column. */
  const alignments = []
  /** @type {Array<Array<string>>} Cells per row. */
  const cellMatrix = []
  /** @type {Array<Array<number>>} Sizes of each cell per row. */
  const sizeMatrix = []
  /** @type {Array<number>} */
  const longestCellByColumn = []
  let mostCellsPerRow = 0
  let rowIndex = -1

  // This is a superfluous loop if we don’t align delimiters, but otherwise we’d
  // do superfluous work when aligning, so optimize for aligning.
  while (++rowIndex < table.length) {
    /** @type {Array<string>} */
    const row = []
    /** @type {Array<number>} */
    const sizes = []
    let columnIndex = -1

    if (table[rowIndex].length > mostCellsPerRow) {
      mostCellsPerRow = table[rowIndex].length
    }

    while (++columnIndex < table[rowIndex].length) {
      const cell = serialize(table[rowIndex][columnIndex])

      if (settings.alignDelimiters !== false) {
        const size = stringLength(cell)
        sizes[columnIndex] = size

        if (
          longestCellByColumn[columnIndex] === undefined ||
          size > longestCellByColumn[columnIndex]
        ) {
          longestCellByColumn[columnIndex] = size
        }
      }

      row.push(cell)
    }

    cellMatrix[rowIndex] = row
    sizeMatrix[rowIndex] = sizes
  }

  // Figure out which alignments to use.
  let columnIndex = -1

  if (typeof align === 'object' && 'length' in align) {
    while (++columnIndex < mostCellsPerRow) {
      alignments[columnIndex] = toAlignment(align[columnIndex])
    }
  } else {
    const code = toAlignment(align)

    while (++columnIndex < mostCellsPerRow) {
      alignments[columnIndex] = code
    }
  }

  // Inject the alignment row.
  columnIndex = -1
  /** @type {Array<string>} */
  const row = []
  /** @type {Array<number>} */
  const sizes = []

  while (++columnIndex < mostCellsPerRow) {
    const code = alignments[columnIndex]
    let before = ''
    let after = ''

    if (code === 99 /* `c` */) {
      before = ':'
      after = ':'
    } else if (code === 108 /* `l` */) {
      before = ':'
    } else if (code === 114 /* `r` */) {
      after = ':'
    }

    // There *must* be at least one hyphen-minus in each alignment cell.
    let size =
      settings.alignDelimiters === false
        ? 1
        : Math.max(
            1,
            longestCellByColumn[columnIndex] - before.length - after.length
          )

    const cell = before + '-'.repeat(size) + after

    if (settings.alignDelimiters !== false) {
      size = before.length + size + after.length

      if (size > longestCellByColumn[columnIndex]) {
        longestCellByColumn[columnIndex] = size
      }

      sizes[columnIndex] = size
    }

    row[columnIndex] = cell
  }

  // Inject the alignment row.
  cellMatrix.splice(1, 0, row)
  sizeMatrix.splice(1, 0, sizes)

  rowIndex = -1
  /** @type {Array<string>} */
  const lines = []

  while (++rowIndex < cellMatrix.length) {
    const row = cellMatrix[rowIndex]
    const sizes = sizeMatrix[rowIndex]
    const cellsInRow =
      settings.fillRows === false
        ? Math.max(1, cellMatrix[rowIndex === 1 ? 0 : rowIndex].length)
        : mostCellsPerRow
    columnIndex = -1
    /** @type {Array<string>} */
    const line = []

    while (++columnIndex < cellsInRow) {
      const cell = row[columnIndex] || ''
      let before = ''
      let after = ''

      if (settings.alignDelimiters !== false) {
        const size =
          longestCellByColumn[columnIndex] - (sizes[columnIndex] || 0)
        const code = alignments[columnIndex]

        if (code === 114 /* `r` */) {
          before = ' '.repeat(size)
        } else if (code === 99 /* `c` */) {
          const half = size / 2

          if (size % 2) {
            before = ' '.repeat(half + 0.5)
            after = ' '.repeat(half - 0.5)
          } else {
            before = ' '.repeat(half)
            after = before
          }
        } else {
          after = ' '.repeat(size)
        }
      }

      if (settings.delimiterStart !== false && !columnIndex) {
        line.push('|')
      }

      if (
        settings.padding !== false &&
        // Don’t add the opening space if we’re not aligning and the cell is
        // empty: there will be a closing space.
        !(settings.alignDelimiters === false && cell === '') &&
        (settings.delimiterStart !== false || columnIndex)
      ) {
        line.push(' ')
      }

      if (settings.alignDelimiters !== false) {
        line.push(before)
      }

      line.push(cell)

      if (settings.alignDelimiters !== false) {
        line.push(after)
      }

      if (settings.padding !== false) {
        line.push(' ')
      }

      if (settings.delimiterEnd !== false || columnIndex !== cellsInRow - 1) {
        line.push('|')
      }
    }

    lines.push(
      settings.delimiterEnd === false
        ? line.join('').replace(/ +$/, '')
        : line.join('')
    )
  }

  return lines.join('\n')
}

/**
 * Serialize a cell value.
 *
 * @param {string | null | undefined} [value]
 *   Value to serialize.
 * @returns {string}
 *   Result.
 */
function serialize(value) {
  return value === null || value === undefined ? '' : String(value)
}

/**
 * Get the alignment character code from a value.
 *
 * @param {string | null | undefined} value
 *   Value.
 * @returns {number}
 *   Alignment.
 */
function toAlignment(value) {
  const code = typeof value === 'string' ? value.codePointAt(0) : 0

  return code === 67 /* `C` */ || code === 99 /* `c` */
    ? 99 /* `c` */
    : code === 76 /* `L` */ || code === 108 /* `l` */
      ? 108 /* `l` */
      : code === 82 /* `R` */ || code === 114 /* `r` */
        ? 114 /* `r` */
        : 0
}

// EXTERNAL MODULE: ./src/baseline/compare.ts
var compare = __nccwpck_require__(6228);
// EXTERNAL MODULE: ./src/baseline/sampling.ts
var sampling = __nccwpck_require__(6574);
// EXTERNAL MODULE: ./src/baseline/trend.ts
var baseline_trend = __nccwpck_require__(4136);
// EXTERNAL MODULE: ./src/baseline/stats.ts
var stats = __nccwpck_require__(964);
// EXTERNAL MODULE: ./src/format.ts
var format = __nccwpck_require__(6264);
// EXTERNAL MODULE: ./src/json.ts
var json = __nccwpck_require__(8301);
// EXTERNAL MODULE: ./src/verdict/duet/decision.ts + 2 modules
var decision = __nccwpck_require__(5208);
// EXTERNAL MODULE: ./src/report/detectable.ts
var detectable = __nccwpck_require__(7311);
// EXTERNAL MODULE: ./src/report/escape.ts
var report_escape = __nccwpck_require__(4031);
// EXTERNAL MODULE: ./src/report/headline.ts
var headline = __nccwpck_require__(4512);
;// CONCATENATED MODULE: ./src/report/markdown-rows.ts
// The rows of a scenario's report: watched metrics (history, A/B and duet) and k6 thresholds. The
// collapsed "why" section under them is markdown-why.ts.
// Pure: data in, text out. Every string from the script goes through escape.ts.











function metricClass(row) {
    if ((0,compare/* isRegression */.kj)(row))
        return 'failing';
    if (row.verdict === 'unchanged' && !row.thin)
        return 'passed';
    return 'notable';
}
const CLASS_RANK = { failing: 0, notable: 1, passed: 2 };
/** Failing rows first, then the notable ones, then the rest; the watch list's order among equals. */
function sortMetricRows(rows) {
    return rows
        .map((row, index) => ({ row, index, rank: CLASS_RANK[metricClass(row)] }))
        .sort((a, b) => a.rank - b.rank || a.index - b.index)
        .map((x) => x.row);
}
/** Crossed thresholds first, then by metric and expression. */
function sortThresholds(thresholds) {
    return [...thresholds].sort((a, b) => Number(a.ok) - Number(b.ok) || (0,json/* compareCodeUnits */.U)(a.metric, b.metric) || (0,json/* compareCodeUnits */.U)(a.expression, b.expression));
}
function table(rows, align, compact) {
    return markdownTable(rows, { align, alignDelimiters: !compact });
}
function verdictCell(row, duet) {
    if (row.thin)
        return '⚪ too few samples to judge';
    if (duet && row.verdict === 'unchanged')
        return `⚪ equivalent within ±${duetSize(duet, duet.margin)}`;
    switch (row.verdict) {
        case 'regressed':
            return '🔴 regressed';
        case 'improved':
            return '🟢 improved';
        case 'unchanged':
            return '⚪ unchanged';
        case 'inconclusive':
            return '❔ inconclusive';
        case 'new':
            return '🆕 new';
        case 'missing':
            return row.severity === 'error' ? '🔴 missing' : '⚠️ missing';
    }
}
/** The limit on the bad side of the band: values past it regress. */
function limitOf(row) {
    if (!row.band)
        return undefined;
    return row.direction === 'lower-is-better' ? row.band.high : row.band.low;
}
/** What set the limit, in the words of the Allowed column: `tolerance 10%`, `noise floor`, `interval of 9 runs`. */
function limitRule(row) {
    switch (row.limitBy) {
        case 'tolerance':
            return `tolerance ${(0,format/* formatPercent */.l9)(row.tolerance)}`;
        case 'noise floor':
            return 'noise floor';
        case 'interval':
            return `interval of ${(0,headline/* plural */.LS)(row.samples, 'run')}`;
        default:
            return undefined;
    }
}
/** `≤ 198 ms (interval of 8 runs)`: the limit and the rule that set it, the same one the note names. */
function allowedCell(row) {
    const limit = limitOf(row);
    if (limit === undefined)
        return '—';
    const bound = `${row.direction === 'lower-is-better' ? '≤' : '≥'} ${(0,format/* formatValue */.Fl)(limit, row.unit)}`;
    const rule = limitRule(row);
    return rule ? `${bound} (${rule})` : bound;
}
/** The change column: one spelling for "no change", also when both values are 0. */
function changeOf(row) {
    return (0,format/* formatChange */.eD)(row.change ?? (0,format/* relativeChange */.N0)(row.baseline, row.current));
}
function trendCell(trend) {
    if (!trend || trend.values.length === 0)
        return '';
    const accepted = trend.accepted ?? trend.values.length - 1;
    const withCurrent = trend.values.length > accepted;
    return `${(0,baseline_trend/* sparkline */.KM)(trend.values)} (${(0,headline/* plural */.LS)(accepted, 'run')}${withCurrent ? ' + this' : ''})`;
}
function findTrend(s, row) {
    return s.trend?.find((t) => t.metric === row.metric && t.stat === row.stat);
}
/** The header of the column of minimum detectable effects: the smallest change the row could see. */
const CAN_SEE = 'Can see ≥';
/**
 * The history-mode table: baseline against this run, the change, the limit and what set it, and
 * (when any row has one) the smallest change each row could see.
 */
function historyTable(s, rows, compact, withTrend) {
    const trend = withTrend && rows.some((row) => findTrend(s, row));
    const mde = (0,detectable/* anyMde */.rO)(rows);
    const header = ['Metric', 'Stat', 'Baseline', 'This run', 'Change', 'Allowed', ...(mde ? [CAN_SEE] : []), 'Verdict'];
    const align = ['l', 'l', 'r', 'r', 'r', 'r', ...(mde ? ['r'] : []), 'l'];
    if (trend) {
        header.push('History, then this run');
        align.push('l');
    }
    const body = rows.map((row) => {
        const cells = [
            (0,report_escape/* tableCell */.xR)((0,report_escape/* codeSpan */.SS)(row.metric)),
            (0,report_escape/* tableCell */.xR)((0,report_escape/* escapeProse */.fd)(row.stat)),
            (0,format/* formatValue */.Fl)(row.baseline, row.unit),
            (0,format/* formatValue */.Fl)(row.current, row.unit),
            changeOf(row),
            allowedCell(row),
            ...(mde ? [(0,detectable/* mdeCell */.vm)(row)] : []),
            verdictCell(row),
        ];
        if (trend)
            cells.push(trendCell(findTrend(s, row)));
        return cells;
    });
    return table([header, ...body], align, compact);
}
/** Confidence of the interval of the median pair ratio shown next to an A/B change. */
const AB_INTERVAL_CONFIDENCE = 0.95;
function abNumbers(row) {
    const a = row.abBaseline;
    const b = row.runs;
    if (!a || !b || a.length === 0 || a.length !== b.length)
        return undefined;
    const sign = row.direction === 'higher-is-better' ? -1 : 1;
    const worse = a.filter((value, i) => (b[i] - value) * sign > 0).length;
    const out = { a: (0,stats/* median */.JZ)(a), b: (0,stats/* median */.JZ)(b), pairs: a.length, worse, change: row.change };
    if (a.every((value) => value > 0)) {
        const ratios = a.map((value, i) => b[i] / value - 1).sort((x, y) => x - y);
        const interval = (0,sampling/* percentileInterval */.J9)({ count: ratios.length, valueAtRank: (rank) => ratios[rank] }, 50, AB_INTERVAL_CONFIDENCE);
        out.interval = { low: interval.low, high: interval.high, confidence: AB_INTERVAL_CONFIDENCE };
    }
    return out;
}
function intervalText(interval) {
    if (!interval)
        return '—';
    const end = (v, open) => (v === undefined ? open : (0,format/* formatChange */.eD)(v));
    return `${end(interval.low, 'open')} … ${end(interval.high, 'open')}`;
}
/** The A/B table: A and B side by side, B's change against A and that change's interval. */
function abTable(rows, compact) {
    const mde = (0,detectable/* anyMde */.rO)(rows);
    const body = rows.map((row) => {
        const ab = abNumbers(row);
        return [
            (0,report_escape/* tableCell */.xR)((0,report_escape/* codeSpan */.SS)(row.metric)),
            (0,report_escape/* tableCell */.xR)((0,report_escape/* escapeProse */.fd)(row.stat)),
            (0,format/* formatValue */.Fl)(ab?.a, row.unit),
            (0,format/* formatValue */.Fl)(ab?.b, row.unit),
            (0,format/* formatChange */.eD)(ab?.change),
            intervalText(ab?.interval),
            ...(mde ? [(0,detectable/* mdeCell */.vm)(row)] : []),
            verdictCell(row),
        ];
    });
    return table([['Metric', 'Stat', 'A (baseline-target)', 'B (target)', 'Change B/A', '95% interval', ...(mde ? [CAN_SEE] : []), 'Verdict'], ...body], ['l', 'l', 'r', 'r', 'r', 'r', ...(mde ? ['r'] : []), 'l'], compact);
}
function duetNumbers(s, row) {
    if (row.method !== 'duet' || !s.duet)
        return undefined;
    const record = s.duet.stats.find((st) => st.id === (0,decision/* duetStatId */.Eb)(row));
    if (!record)
        return undefined;
    const difference = row.unit === 'ratio';
    return {
        a: row.baseline,
        b: row.current,
        difference,
        change: record.change,
        interval: record.interval,
        windows: record.windows,
        floor: record.floor,
        margin: difference ? decision/* DUET_RATE_MARGIN */.vt : s.duet.minEffect,
        p: record.p,
        level: record.level,
        verdict: record.verdict,
    };
}
/** A size in the duet's terms: `2%` for times, `0.5 pp` for the error rate. */
function duetSize(d, v) {
    return d.difference ? (0,format/* formatSetting */.w_)(v, 'ratio') : (0,format/* formatPercent */.l9)(v);
}
/** B's change against A as the decision weighed it: `+5.6%`, or `+0.40 pp` for the error rate. */
function duetChange(d, v) {
    if (v === undefined)
        return '—';
    return d.difference ? (0,format/* formatPointChange */.eS)(v) : (0,format/* formatChange */.eD)(v);
}
/** `+5.6% (+1.2% … +10.1%)`: the change and its interval. */
function duetChangeCell(d) {
    if (d.change === undefined)
        return '—';
    const interval = d.interval ? ` (${duetChange(d, d.interval[0])} … ${duetChange(d, d.interval[1])})` : '';
    return `${duetChange(d, d.change)}${interval}`;
}
/** The floor that applied: `±2% practical size`, `±2.6% window noise`. */
function duetFloorCell(d) {
    if (d.floor.value === 0)
        return 'none: any real rise counts';
    return `±${duetSize(d, d.floor.value)} ${d.floor.source}`;
}
/** The header of the duet table's columns, in the order of duetCells. */
const DUET_HEADER = ['A (baseline-target)', 'B (target)', 'Change B/A (interval)', 'Floor', CAN_SEE, 'Verdict'];
/** A duet row's cells after the metric and stat, plain text (each format escapes its own way). */
function duetCells(row, d) {
    return [
        (0,format/* formatValue */.Fl)(row.baseline, row.unit),
        (0,format/* formatValue */.Fl)(row.current, row.unit),
        d ? duetChangeCell(d) : changeOf(row),
        d ? duetFloorCell(d) : '—',
        (0,detectable/* mdeCell */.vm)(row),
        verdictCell(row, d),
    ];
}
/**
 * The duet table: A and B measured side by side at the same time, pooled over their paired
 * windows; the change with its interval, the floor that applied, the smallest change it could see.
 */
function duetTable(s, rows, compact) {
    const body = rows.map((row) => [
        (0,report_escape/* tableCell */.xR)((0,report_escape/* codeSpan */.SS)(row.metric)),
        (0,report_escape/* tableCell */.xR)((0,report_escape/* escapeProse */.fd)(row.stat)),
        ...duetCells(row, duetNumbers(s, row)),
    ]);
    return table([['Metric', 'Stat', ...DUET_HEADER], ...body], ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'], compact);
}
function thresholdTable(thresholds, compact) {
    return table([
        ['k6 threshold', 'Result'],
        ...thresholds.map((t) => [(0,report_escape/* tableCell */.xR)(`${(0,report_escape/* codeSpan */.SS)(t.metric)}: ${(0,report_escape/* codeSpan */.SS)(t.expression)}`), t.ok ? '✅ passed' : '❌ crossed']),
    ], ['l', 'l'], compact);
}


/***/ }),

/***/ 6267:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

// ESM COMPAT FLAG
__nccwpck_require__.r(__webpack_exports__);

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  renderMarkdownReport: () => (/* binding */ renderMarkdownReport)
});

// EXTERNAL MODULE: ./src/format.ts
var format = __nccwpck_require__(6264);
// EXTERNAL MODULE: ./src/report/detectable.ts
var detectable = __nccwpck_require__(7311);
// EXTERNAL MODULE: ./src/report/escape.ts
var report_escape = __nccwpck_require__(4031);
// EXTERNAL MODULE: ./src/report/html.ts
var html = __nccwpck_require__(6433);
// EXTERNAL MODULE: ./src/report/headline.ts
var headline = __nccwpck_require__(4512);
// EXTERNAL MODULE: ./src/report/markdown-rows.ts + 1 modules
var markdown_rows = __nccwpck_require__(8822);
;// CONCATENATED MODULE: ./src/report/markdown-analysis.ts
// What live sample analysis saw, as Markdown: load-generator warnings, the per-endpoint table and
// the error mix. Pure; endpoint, check and error names come from the script and are escaped.



function details(summary, body) {
    // Blank lines around the body: GitHub and GitLab render Markdown inside <details> only then.
    return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
/** Each distinct sentence once, in first-seen order (A/B rounds repeat the same warning). */
function distinct(lines) {
    return [...new Set(lines)];
}
function endpointTable(analysis, compact) {
    // From k6's native histograms the largest value is only known to lie in the top bucket: say so.
    const bucketed = analysis.source === 'remote-write';
    const rows = analysis.endpoints.map((e) => [
        (0,report_escape/* tableCell */.xR)((0,report_escape/* codeSpan */.SS)(e.endpoint)),
        (0,format/* formatCount */.B4)(e.requests),
        e.failed > 0 ? `${(0,format/* formatCount */.B4)(e.failed)} (${(0,format/* formatValue */.Fl)(e.failureRate, 'ratio')})` : '0',
        (0,format/* formatValue */.Fl)(e.p95, 'ms'),
        (0,format/* formatChange */.eD)(e.p95Change),
        (0,format/* formatValue */.Fl)(e.med, 'ms'),
        `${bucketed ? '≤ ' : ''}${(0,format/* formatValue */.Fl)(e.max, 'ms')}`,
    ]);
    const precision = bucketed
        ? "\n\n<sub>p(95) and median from k6's native histograms, interpolated inside buckets ×1.09 wide (typically within 1 % of every-sample values). The slowest request is only known to lie in the top bucket: Max is that bucket's upper edge, an upper bound.</sub>"
        : '';
    return ((0,markdown_rows/* table */.tp)([['Endpoint', 'Requests', 'Failed', 'p(95)', 'p(95) change', 'Median', bucketed ? 'Max (upper bound)' : 'Max'], ...rows], ['l', 'r', 'r', 'r', 'r', 'r', 'r'], compact) + precision);
}
function errorMix(analysis, compact) {
    const body = [];
    if (analysis.errors.length > 0) {
        body.push((0,markdown_rows/* table */.tp)([
            ['Endpoint', 'Status', 'k6 error_code', 'Count', 'First seen'],
            ...analysis.errors.map((e) => [
                (0,report_escape/* tableCell */.xR)((0,report_escape/* codeSpan */.SS)(e.endpoint)),
                e.status === '0' ? 'no response' : (0,report_escape/* tableCell */.xR)((0,report_escape/* escapeProse */.fd)(e.status)),
                e.errorCode ? (0,report_escape/* tableCell */.xR)((0,report_escape/* escapeProse */.fd)(e.errorCode)) : '—',
                (0,format/* formatCount */.B4)(e.count),
                `+${(0,format/* formatDuration */.a3)(e.firstAfterMs)} (${(0,report_escape/* tableCell */.xR)((0,report_escape/* escapeProse */.fd)(e.firstAt))})`,
            ]),
        ], ['l', 'l', 'l', 'r', 'l'], compact));
    }
    if (analysis.failedChecks.length > 0) {
        body.push((0,markdown_rows/* table */.tp)([
            ['Failed check', 'Fails', 'Passes'],
            ...analysis.failedChecks.map((c) => [(0,report_escape/* tableCell */.xR)((0,report_escape/* escapeProse */.fd)(c.name)), (0,format/* formatCount */.B4)(c.fails), (0,format/* formatCount */.B4)(c.passes)]),
        ], ['l', 'r', 'r'], compact));
    }
    const failedRequests = analysis.errors.reduce((s, e) => s + e.count, 0);
    return details(`Error mix: ${(0,format/* formatCount */.B4)(failedRequests)} failed request(s), ${(0,format/* formatCount */.B4)(analysis.failedChecks.length)} failing check(s)`, body.join('\n\n'));
}
/** Per-endpoint table, error mix, failed checks and load-generator warnings (live analysis). */
function renderAnalysis(analysis, compact = false) {
    const parts = [];
    const warnings = distinct(analysis.loadGenerator?.warnings ?? []);
    if (warnings.length > 0) {
        parts.push(`**⚠️ Load generator:** the numbers may not be trustworthy\n\n${warnings.map((w) => `- ${(0,report_escape/* escapeProse */.fd)(w)}`).join('\n')}`);
    }
    if (analysis.endpoints.length > 0) {
        const more = analysis.endpointCount > analysis.endpoints.length
            ? ` (top ${(0,format/* formatCount */.B4)(analysis.endpoints.length)} of ${(0,format/* formatCount */.B4)(analysis.endpointCount)})`
            : '';
        parts.push(details(`Per-endpoint breakdown: ${(0,format/* formatCount */.B4)(analysis.endpointCount)} endpoint(s)${more}`, endpointTable(analysis, compact)));
    }
    if (analysis.errors.length > 0 || analysis.failedChecks.length > 0)
        parts.push(errorMix(analysis, compact));
    return parts.join('\n\n');
}

;// CONCATENATED MODULE: ./src/report/markdown-why.ts
// The collapsed "why" section of a scenario's report: in words, why each row regressed, improved,
// was held back or was not judged (history, A/B and duet rows alike). Pure: data in, text out.
// Every string from the script goes through escape.ts.




function limitReason(row) {
    switch (row.limitBy) {
        case 'tolerance':
            return `the ${(0,format/* formatPercent */.l9)(row.tolerance)} tolerance`;
        case 'noise floor':
            return 'the noise floor (the smallest difference the gate counts)';
        case 'interval':
            return `the spread of the last ${(0,headline/* plural */.LS)(row.samples, 'accepted run')}`;
        default:
            return 'the rules';
    }
}
function runsText(row) {
    if (!row.runs || row.abBaseline)
        return '';
    return ` Every run: ${row.runs.map((v) => (0,format/* formatValue */.Fl)(v, row.unit)).join(', ')}.`;
}
/** Four decimals, as the decision's level is small: `0.0294`. */
const pText = (v) => (v < 0.0001 ? '< 0.0001' : `= ${v.toFixed(4)}`);
/** A duet row's "why": the paired windows, the change and its interval against the floor, the test. */
function duetWhy(row, d) {
    const value = (v) => (0,format/* formatValue */.Fl)(v, row.unit);
    const sides = `B ${value(d.b)} against A ${value(d.a)}, each pooled over the same ${(0,headline/* plural */.LS)(d.windows, 'paired window')} (both measured at the same time)`;
    if (d.change === undefined)
        return `${sides}; too few paired windows to judge.`;
    const moved = `B/A ${(0,markdown_rows/* duetChangeCell */.XW)(d)}`;
    const test = d.p === undefined
        ? ''
        : `p ${pText(d.p)} against the ${d.level.toFixed(4)} this look allows (spent over the looks, corrected across the watched stats)`;
    if (row.verdict === 'regressed' || row.verdict === 'improved') {
        const floor = d.floor.value === 0
            ? 'a real change of the error rate counts at any size'
            : `past the ±${(0,markdown_rows/* duetSize */.Yo)(d, d.floor.value)} floor (${d.floor.source})`;
        return `${sides}; ${moved}, ${floor}; ${test}.`;
    }
    if (row.verdict === 'unchanged')
        return `${sides}; ${moved}: the whole interval lies within ±${(0,markdown_rows/* duetSize */.Yo)(d, d.margin)}.`;
    // Undecided: a real change too small to count, or an interval too wide to say either.
    const why = d.p !== undefined && d.p <= d.level
        ? `a real change, but within the ${d.floor.source === 'practical size' ? 'practical size' : 'floor'} ±${(0,markdown_rows/* duetSize */.Yo)(d, d.floor.value)}, and the interval reaches past ±${(0,markdown_rows/* duetSize */.Yo)(d, d.margin)}`
        : `the interval holds 0 and reaches past ±${(0,markdown_rows/* duetSize */.Yo)(d, d.margin)}: neither a change nor equivalence is shown`;
    return `${sides}; ${moved}; ${why}${test ? `; ${test}` : ''}.`;
}
/** One row's "why", in plain words. */
function whyLine(row, s) {
    const name = `${(0,report_escape/* codeSpan */.SS)(row.metric)} ${(0,report_escape/* escapeProse */.fd)(row.stat)}`;
    const value = (v) => (0,format/* formatValue */.Fl)(v, row.unit);
    const duet = (0,markdown_rows/* duetNumbers */.VF)(s, row);
    if (duet)
        return `${name}: ${duetWhy(row, duet)}`;
    const ab = (0,markdown_rows/* abNumbers */.G_)(row);
    if (ab) {
        const interval = ab.interval ? ` (${(0,format/* formatPercent */.l9)(ab.interval.confidence)} interval ${(0,markdown_rows/* intervalText */.Bt)(ab.interval)})` : '';
        return (`${name}: B ${value(ab.b)} against A ${value(ab.a)} (medians of ${(0,headline/* plural */.LS)(ab.pairs, 'pair')}); ` +
            `B/A ${(0,format/* formatChange */.eD)(ab.change)}${interval}; B was worse in ${ab.worse} of ${ab.pairs} pairs${abVerdictText(row)}.`);
    }
    if (row.verdict === 'missing') {
        // The note starts with the stat the name already says ("p(95) missing: …").
        const note = row.note.startsWith(`${row.stat} `) ? row.note.slice(row.stat.length + 1) : row.note;
        return `${name}: ${(0,report_escape/* escapeProse */.fd)(note)}${row.severity === 'error' ? '; counted as a regression' : ''}.`;
    }
    const limit = (0,markdown_rows/* limitOf */.LF)(row);
    const against = `${value(row.current)} against ${value(row.baseline)} accepted (${(0,markdown_rows/* changeOf */.C2)(row)})`;
    if (row.thin) {
        const n = row.sampling ? ` from ${(0,format/* formatCount */.B4)(row.sampling.n)} samples` : '';
        return (`${name}: ${against} is past the limit ${value(limit)}, but this run's value${n} is uncertain enough to lie ` +
            `inside it: too few samples to call it a regression.${runsText(row)}`);
    }
    if (row.verdict === 'regressed') {
        return `${name}: ${against}, past the limit ${value(limit)} set by ${limitReason(row)}.${runsText(row)}`;
    }
    if (row.verdict === 'improved')
        return `${name}: ${against}, better than every limit on the good side.${runsText(row)}`;
    return `${name}: ${against}.${runsText(row)}`;
}
/** Why an A/B change that moved by one measure was not counted, one reason per rule it missed. */
function abReasons(row) {
    const d = row.abDecision;
    if (!d)
        return [];
    const reasons = [];
    if (d.p > d.alpha) {
        reasons.push(`the pairs do not agree often enough (identical versions would look this one-sided in ${(0,format/* formatPercent */.l9)(d.p)} of runs; A/B mode needs under ${(0,format/* formatPercent */.l9)(d.alpha)})`);
    }
    if (Math.abs(d.difference) <= d.noiseFloor) {
        reasons.push(`the median pair difference, ${(0,format/* formatDelta */.CW)(Math.abs(d.difference), row.unit)}, is within the ${(0,format/* formatSetting */.w_)(d.noiseFloor, row.unit)} noise floor`);
    }
    if (row.unit !== 'ratio' && row.change !== undefined && Math.abs(row.change) <= d.minEffect) {
        reasons.push(`the change is within the ${(0,format/* formatPercent */.l9)(d.minEffect)} A/B mode counts`);
    }
    return reasons;
}
/** An A/B row that looks moved (a one-sided test or a change past the minimum) but was not counted. */
function heldBack(row) {
    const d = row.abDecision;
    if (!d || row.verdict !== 'unchanged')
        return false;
    return d.p <= d.alpha || (row.change !== undefined && Math.abs(row.change) > d.minEffect);
}
function abVerdictText(row) {
    const d = row.abDecision;
    if (!d)
        return '';
    if (row.verdict === 'regressed' || row.verdict === 'improved') {
        return `; identical versions would look this one-sided in ${(0,format/* formatPercent */.l9)(d.p)} of runs`;
    }
    const reasons = heldBack(row) ? abReasons(row) : [];
    return reasons.length > 0 ? `; not counted: ${reasons.join('; ')}` : '';
}
/** What a row's sentence explains: the Why section's summary counts these. */
function whyKind(row) {
    if (row.thin)
        return 'too thin to judge';
    if (row.verdict === 'regressed' || row.verdict === 'improved' || row.verdict === 'missing' || row.verdict === 'inconclusive')
        return row.verdict;
    return heldBack(row) ? 'not counted' : undefined;
}
/** Rows worth a sentence: those that regressed, improved, went missing, were too thin to judge or not counted. */
function whyRows(rows) {
    return rows.filter((row) => whyKind(row) !== undefined);
}
/** The sentences of `rows`, which belong to scenario `s` (a duet row reads its record there). */
function whyList(s, rows) {
    return rows.map((row) => `- ${whyLine(row, s)}`).join('\n');
}

;// CONCATENATED MODULE: ./src/report/markdown-fit.ts
// Text cut to a size: how a report's size is counted (characters or UTF-8 bytes), the longest
// prefix that fits cut at a line break, and a code block left open by the cut closed again. The
// last resort of renderMarkdownReport (markdown.ts), when even the shortest rendering is too long.
/** `text`, or its first `max` characters and an ellipsis. */
function shorten(text, max) {
    return text.length <= max ? text : `${text.slice(0, max)} …`;
}
function sizeOf(text, limit) {
    return limit.unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}
/** The longest prefix of `text` that fits, cut at a line break. */
function prefixThatFits(text, room, limit) {
    let low = 0;
    let high = text.length;
    while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (sizeOf(text.slice(0, mid), limit) <= room)
            low = mid;
        else
            high = mid - 1;
    }
    const cut = text.slice(0, low);
    const lastBreak = cut.lastIndexOf('\n');
    return lastBreak > 0 ? cut.slice(0, lastBreak) : cut;
}
/** The fence of a code block `text` leaves open (an exception cut in the middle), if any. */
function openFence(text) {
    let open;
    for (const line of text.split('\n')) {
        const fence = /^`{3,}/.exec(line)?.[0];
        if (!fence)
            continue;
        if (open === undefined)
            open = fence;
        else if (line.trim() === open)
            open = undefined;
    }
    return open;
}
/** `text` cut at a line break to fit `limit`, with a notice saying so and any open code block closed. */
function cutToFit(text, limit) {
    const notice = `\n\n> ✂️ **Cut off here** to fit ${limit.description}. The full report is report.md in the run's artifacts.\n`;
    // Room for a fence that closes a code block the cut leaves open (at most this long: see codeBlock).
    const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const closer = '\n' + '`'.repeat(Math.max(3, longestRun + 1));
    let cut = prefixThatFits(text, limit.max - sizeOf(notice, limit) - sizeOf(closer, limit), limit);
    const fence = openFence(cut);
    if (fence)
        cut += `\n${fence}`;
    return cut + notice;
}

;// CONCATENATED MODULE: ./src/report/markdown.ts
// The regression report as Markdown: report.md, the job summary, the PR comment and the MR note.
// Pure: takes a GateResult, returns text.
//
// Failures come first everywhere: failing scenarios before passing ones, failing rows before the
// rest, crossed thresholds before passed ones. When the text must fit a limit (a PR comment, an MR
// note, a job summary), it is shortened in steps until it fits, and the report says what it left out
// and where the full one is: passed and unchanged rows go first, then the details (why, trends,
// per-endpoint tables, charts), then improved and new rows, then whole passing scenarios; failing
// rows last, and only as many as must (each failing scenario keeps its headline and its cause).









const FULL = { compact: false, passedRows: true, details: true, notableRows: true, passingScenarios: true, failingRowCap: Infinity };
/** The shortening steps, in order; the last one is then cut further by failingRowCap. */
const STEPS = [
    FULL,
    { ...FULL, compact: true },
    { ...FULL, compact: true, passedRows: false },
    { ...FULL, compact: true, passedRows: false, details: false },
    { ...FULL, compact: true, passedRows: false, details: false, notableRows: false },
    { ...FULL, compact: true, passedRows: false, details: false, notableRows: false, passingScenarios: false },
];
/** An exception's text kept when details are left out: enough to recognise it. */
const SHORT_EXCEPTION = 1_000;
/** The most of a cause the headline quotes; the scenario below has all of it. */
const HEADLINE_CAUSE = 300;
function statusLine(result) {
    const cause = (0,headline/* errorCause */.ov)(result);
    if (cause === 'cancelled') {
        return `**Cancelled:** k6-gate received ${result.cancelled} and stopped before the end; the numbers below are partial. A cancelled run fails the job.`;
    }
    if (cause) {
        const errors = distinct(result.scenarios.filter((s) => s.error).map((s) => s.error));
        const what = cause === 'bad-input' ? 'Bad input' : 'Error';
        const first = errors.length > 0 ? (0,report_escape/* escapeProse */.fd)(shorten(errors[0], HEADLINE_CAUSE)) : 'the run stopped before it measured anything';
        const thrown = shorten(result.scenarios.find((s) => s.exception)?.exception?.split('\n')[0] ?? '', HEADLINE_CAUSE);
        const exception = thrown ? ` The script threw ${(0,report_escape/* codeSpan */.SS)(thrown)}.` : '';
        const more = errors.length > 1 ? ` (and ${(0,headline/* plural */.LS)(errors.length - 1, 'other cause')} below)` : '';
        return `**${what}:** ${first}${more}.${exception} An error fails the job whatever \`fail-on\` says.`;
    }
    const inconclusive = result.inconclusive ?? 0;
    const counts = `${(0,headline/* plural */.LS)(result.regressions, 'regression')}, ${(0,headline/* plural */.LS)(result.thresholdsFailed, 'crossed threshold')}` +
        (inconclusive > 0 ? `, ${(0,headline/* plural */.LS)(inconclusive, 'inconclusive scenario')}` : '');
    const policy = result.failOn.length > 0 ? `fails on: ${result.failOn.join(', ')}` : 'report only';
    const verdict = result.failed
        ? '**the gate fails this job**'
        : result.outcome === 'passed'
            ? 'the gate passes'
            : '**not blocking** (policy)';
    const undecided = inconclusive > 0 ? ` ${INCONCLUSIVE_SENTENCE}` : '';
    return `${counts} — ${verdict} (${policy}).${undecided}`;
}
/** What an inconclusive verdict means for the job and the baseline, and what to do about it. */
const INCONCLUSIVE_SENTENCE = 'Inconclusive means the numbers could not decide, either way: the run is not recorded as the baseline, and it fails the job only with `fail-on: inconclusive`. ' +
    'Run it again longer (max-duration) or on a quieter runner; each inconclusive scenario below says why.';
/** Every scenario was measured as a duet (A/B mode with baseline-target). */
function isDuet(result) {
    return result.scenarios.length > 0 && result.scenarios.every((s) => s.duet !== undefined);
}
function renderHeader(result) {
    const facts = [];
    if (result.target)
        facts.push(`target ${(0,report_escape/* codeSpan */.SS)(result.target)}`);
    if (result.environment)
        facts.push(`environment **${(0,report_escape/* escapeProse */.fd)(result.environment)}**`);
    if (result.k6)
        facts.push(`k6 ${(0,report_escape/* escapeProse */.fd)(result.k6.version)}`);
    // A duet compares baseline-target with target in this job: the baseline file decides nothing.
    if (isDuet(result))
        facts.push('A/B duet: A is `baseline-target`, B is the target, measured at the same time');
    else if (result.baselinePath)
        facts.push(`baseline ${(0,report_escape/* codeSpan */.SS)(result.baselinePath)}`);
    return [`## ${(0,headline/* headline */.Pl)(result)}`, statusLine(result), facts.join(' · ')].filter(Boolean).join('\n\n');
}
function scenarioTitle(s, cancelled) {
    const [icon, outcome] = cancelled && s.outcome === 'error' ? ['⛔', 'cancelled'] : [(0,headline/* scenarioIcon */.S9)(s.outcome), (0,headline/* scenarioOutcome */.$p)(s.outcome)];
    return `### ${icon} ${(0,report_escape/* escapeProse */.fd)((0,headline/* scenarioLabel */.b2)(s))} — ${outcome}`;
}
/** The rows a plan shows, failing ones capped; the rest counted in `omitted`. */
function pickRows(rows, classOf, plan, count) {
    let failing = 0;
    return rows.filter((row) => {
        const cls = classOf(row);
        const shown = cls === 'failing' ? failing++ < plan.failingRowCap : cls === 'notable' ? plan.notableRows : plan.passedRows;
        if (!shown)
            count(row, cls);
        return shown;
    });
}
/** `3 passed thresholds, 1 unchanged metric`: the counts that are not 0, each with its noun. */
function counted(parts) {
    return parts.filter(([n]) => n > 0).map(([n, one, many]) => (0,headline/* plural */.LS)(n, one, many));
}
function notShown(parts) {
    const said = counted(parts);
    return said.length > 0 ? `_Not shown here: ${said.join(', ')} (see the full report)._` : '';
}
function renderMetrics(s, plan, omitted) {
    if (s.metrics.length === 0)
        return [];
    const hidden = { failing: 0, notable: 0, passed: 0 };
    const rows = pickRows((0,markdown_rows/* sortMetricRows */.mc)(s.metrics), markdown_rows/* metricClass */.TU, plan, (_, cls) => hidden[cls]++);
    omitted.failingMetrics += hidden.failing;
    omitted.notable += hidden.notable;
    omitted.unchanged += hidden.passed;
    // One table per way the rows were decided: a duet, ABBA rounds, or against the history.
    const duet = rows.filter((row) => row.method === 'duet');
    const paired = rows.filter((row) => row.method !== 'duet' && row.abBaseline && row.runs);
    const history = rows.filter((row) => row.method !== 'duet' && !(row.abBaseline && row.runs));
    const parts = [];
    if (duet.length > 0)
        parts.push((0,markdown_rows/* duetTable */.Fq)(s, duet, plan.compact));
    if (paired.length > 0)
        parts.push((0,markdown_rows/* abTable */.QW)(paired, plan.compact));
    if (history.length > 0)
        parts.push((0,markdown_rows/* historyTable */.f1)(s, history, plan.compact, plan.details));
    const note = notShown([
        [hidden.failing, 'more failing metric', 'more failing metrics'],
        [hidden.notable, 'improved, new or not judged metric', 'improved, new or not judged metrics'],
        [hidden.passed, 'unchanged metric', 'unchanged metrics'],
    ]);
    if (note)
        parts.push(note);
    return parts;
}
/** Markdown names for the blind-spot sentence. */
const MARKDOWN_SPEAKER = {
    name: (row) => `${(0,report_escape/* codeSpan */.SS)(row.metric)} ${(0,report_escape/* escapeProse */.fd)(row.stat)}`,
    code: report_escape/* codeSpan */.SS,
};
/**
 * The stats that cannot see their tolerance, said plainly under the table. Kept while notable rows
 * are (its advice only with the details): it never costs a failing scenario its place.
 */
function renderBlindSpot(s, plan, omitted) {
    const text = (0,detectable/* blindSpotText */.tT)(s.metrics, MARKDOWN_SPEAKER, plan.details);
    if (!text)
        return [];
    if (!plan.notableRows) {
        omitted.blindSpots++;
        return [];
    }
    return [`⚠️ ${text}`];
}
function renderThresholds(s, plan, omitted) {
    if (s.thresholds.length === 0)
        return [];
    const crossed = s.thresholds.filter((t) => !t.ok).length;
    const total = (0,format/* formatCount */.B4)(s.thresholds.length);
    const head = `**k6 thresholds:** ${crossed === 0 ? `all ${total} passed` : `${(0,format/* formatCount */.B4)(crossed)} of ${total} crossed`}`;
    const hidden = { failing: 0, passed: 0 };
    const rows = pickRows((0,markdown_rows/* sortThresholds */.RU)(s.thresholds), (t) => (t.ok ? 'passed' : 'failing'), plan, (_, cls) => {
        if (cls === 'failing')
            hidden.failing++;
        else
            hidden.passed++;
    });
    omitted.crossedThresholds += hidden.failing;
    omitted.passedThresholds += hidden.passed;
    const parts = [head];
    if (rows.length > 0)
        parts.push((0,markdown_rows/* thresholdTable */.G2)(rows, plan.compact));
    const note = notShown([
        [hidden.failing, 'more crossed threshold', 'more crossed thresholds'],
        [hidden.passed, 'passed threshold', 'passed thresholds'],
    ]);
    if (note)
        parts.push(note);
    return parts;
}
function renderCause(s, plan) {
    const parts = [];
    if (s.inconclusive && s.outcome !== 'error') {
        const why = (0,report_escape/* escapeProse */.fd)(s.inconclusive.replace(/[.\s]+$/, ''));
        parts.push(s.outcome === 'inconclusive'
            ? `> **Inconclusive:** ${why}.`
            : `> **The numbers are in doubt:** ${why}; a regression or a crossed threshold still counts.`);
    }
    if (s.error)
        parts.push(`> **Error:** ${(0,report_escape/* escapeProse */.fd)(s.error)}`);
    else if (s.exitCode !== undefined && s.exitCode !== 0) {
        parts.push(`k6 exited with code ${s.exitCode}${s.exitMeaning ? `: ${(0,report_escape/* escapeProse */.fd)(s.exitMeaning)}` : ''}`);
    }
    if (s.exception) {
        const text = plan.details ? s.exception : shorten(s.exception, SHORT_EXCEPTION);
        parts.push(`The script threw:\n\n${(0,report_escape/* codeBlock */.DV)(text)}`);
    }
    return parts;
}
function renderDetails(s, rows, plan, omitted) {
    const why = whyRows((0,markdown_rows/* sortMetricRows */.mc)(rows));
    const analysis = s.analysis ? renderAnalysis(s.analysis, plan.compact) : '';
    if (!plan.details) {
        omitted.details += (why.length > 0 ? 1 : 0) + (analysis ? 1 : 0);
        return [];
    }
    const parts = [];
    if (why.length > 0) {
        const counts = ['regressed', 'improved', 'missing', 'inconclusive', 'too thin to judge', 'not counted']
            .map((kind) => [why.filter((r) => whyKind(r) === kind).length, kind])
            .filter(([n]) => n > 0)
            .map(([n, kind]) => `${(0,format/* formatCount */.B4)(n)} ${kind}`);
        parts.push(details(`Why: ${counts.join(', ')}`, whyList(s, why)));
    }
    if (analysis)
        parts.push(analysis);
    return parts;
}
function renderScenario(s, cancelled, plan, omitted) {
    const parts = [
        scenarioTitle(s, cancelled),
        ...renderCause(s, plan),
        ...renderMetrics(s, plan, omitted),
        ...renderBlindSpot(s, plan, omitted),
        ...renderThresholds(s, plan, omitted),
    ];
    if (s.verdictNote)
        parts.push(`**Verdict:** ${(0,report_escape/* escapeProse */.fd)(s.verdictNote)}`);
    parts.push(...renderDetails(s, s.metrics, plan, omitted));
    return parts.join('\n\n');
}
/** `[label](url)` with a URL that cannot end the link early or start another. */
function markdown_link(label, url) {
    const safe = url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    return `[${(0,report_escape/* escapeProse */.fd)(label)}](${safe})`;
}
/** One line naming gate-report.html and where to open it. */
function htmlReportLine(where, duet) {
    const what = duet
        ? "📈 Charts of B's change against A per watched stat, and the per-endpoint table:"
        : '📈 Charts of the baseline history and this run, and the per-endpoint table:';
    if (where.url && where.artifact)
        return `${what} ${(0,report_escape/* codeSpan */.SS)(html/* GATE_REPORT_FILE */.At)} in the artifact ${markdown_link(where.artifact, where.url)}`;
    if (where.url)
        return `${what} ${markdown_link(html/* GATE_REPORT_FILE */.At, where.url)}`;
    if (where.resultsDir)
        return `${what} ${(0,report_escape/* codeSpan */.SS)(`${where.resultsDir.replace(/[\\/]+$/, '')}/${html/* GATE_REPORT_FILE */.At}`)}`;
    return undefined;
}
function renderFooter(result, options) {
    const parts = [];
    const warnings = distinct(result.warnings);
    if (warnings.length > 0)
        parts.push(`**Warnings**\n\n${warnings.map((w) => `- ${(0,report_escape/* escapeProse */.fd)(w)}`).join('\n')}`);
    if (result.baselineUpdated)
        parts.push(`Baseline ${(0,report_escape/* codeSpan */.SS)(result.baselinePath ?? '')} updated with this run.`);
    const html = options.htmlReport && htmlReportLine(options.htmlReport, isDuet(result));
    if (html)
        parts.push(html);
    const links = [...(result.links ?? []), ...(options.links ?? [])];
    if (links.length > 0)
        parts.push(links.map((l) => markdown_link(l.label, l.url)).join(' · '));
    parts.push(`<sub>k6-gate ${(0,report_escape/* escapeProse */.fd)(result.tool.version)} · ${(0,report_escape/* escapeProse */.fd)(result.generatedAt)}</sub>`);
    return parts.join('\n\n');
}
function shorteningNotice(omitted, limit, options) {
    const left = counted([
        [omitted.passedThresholds, 'passed threshold', 'passed thresholds'],
        [omitted.unchanged, 'unchanged metric', 'unchanged metrics'],
        [omitted.notable, 'improved, new or not judged metric', 'improved, new or not judged metrics'],
        [omitted.passingScenarios, 'passing scenario', 'passing scenarios'],
        [omitted.failingMetrics, 'failing metric', 'failing metrics'],
        [omitted.crossedThresholds, 'crossed threshold', 'crossed thresholds'],
        [omitted.blindSpots, 'note on changes too small to see', 'notes on changes too small to see'],
    ]);
    if (omitted.details > 0)
        left.push('the details (why, per-endpoint tables, error mix, charts)');
    const label = options.fullReportLabel ?? "report.md in the run's artifacts";
    const where = options.fullReportUrl ? markdown_link(label, options.fullReportUrl) : (0,report_escape/* escapeProse */.fd)(label);
    return `> ✂️ **This report was shortened** to fit ${limit.description}: left out ${left.join(', ') || 'the end'}. The full report is ${where}.`;
}
function emptyOmitted() {
    return {
        unchanged: 0,
        passedThresholds: 0,
        notable: 0,
        failingMetrics: 0,
        crossedThresholds: 0,
        details: 0,
        blindSpots: 0,
        passingScenarios: 0,
    };
}
function render(result, options, plan) {
    const omitted = emptyOmitted();
    const scenarios = (0,headline/* failuresFirst */.Cq)(result.scenarios).filter((s) => {
        const shown = plan.passingScenarios || s.outcome !== 'passed';
        if (!shown)
            omitted.passingScenarios++;
        return shown;
    });
    const body = scenarios.map((s) => renderScenario(s, result.cancelled !== undefined, plan, omitted));
    if (omitted.passingScenarios > 0)
        body.push(`✅ ${(0,headline/* plural */.LS)(omitted.passingScenarios, 'passing scenario')} not shown here.`);
    if (options.appendix) {
        if (plan.details)
            body.push(options.appendix);
        else
            omitted.details++;
    }
    const shortened = Object.values(omitted).some((n) => n > 0) && options.limit;
    const notice = shortened ? shorteningNotice(omitted, options.limit, options) : '';
    return [renderHeader(result), notice, ...body, renderFooter(result, options)].filter(Boolean).join('\n\n') + '\n';
}
/**
 * The report; with `limit`, the fullest rendering that fits it (see the module comment). This is the
 * one shortening rule: every platform calls it with its own limit.
 */
function renderMarkdownReport(result, options = {}) {
    const limit = options.limit;
    if (!limit)
        return render(result, options, FULL);
    const fits = (text) => sizeOf(text, limit) <= limit.max;
    for (const plan of STEPS) {
        const text = render(result, options, plan);
        if (fits(text))
            return text;
    }
    // Failing rows too: the most per table that fits (each failing scenario keeps its title and cause).
    const last = STEPS[STEPS.length - 1];
    const most = Math.max(0, ...result.scenarios.map((s) => Math.max(s.metrics.length, s.thresholds.length)));
    let low = 0;
    let high = most;
    while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (fits(render(result, options, { ...last, failingRowCap: mid })))
            low = mid;
        else
            high = mid - 1;
    }
    const text = render(result, options, { ...last, failingRowCap: low });
    if (fits(text))
        return text;
    // Too many failing scenarios to name them all: cut at a line break, and say so.
    return cutToFit(text, limit);
}


/***/ }),

/***/ 3244:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  oA: () => (/* binding */ SampleAggregator),
  jA: () => (/* binding */ SampleError),
  P3: () => (/* binding */ parseSubmetricName),
  E4: () => (/* binding */ tagKey)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: ./src/samples/histogram.ts
var histogram = __nccwpck_require__(945);
;// CONCATENATED MODULE: ./src/samples/breakdown.ts
// Per-endpoint breakdown and error mix, built from the tags of k6's HTTP samples.
//
// k6 reports a submetric only when a threshold names it; this keeps one small record per endpoint
// instead, without any threshold in the script. An endpoint is the `name` tag when the script set
// one; k6 otherwise sets `name` to the URL, which the method and the URL with IDs collapsed
// (`/orders/123` → `/orders/{id}`) replace so the list stays short.
//
// Bounded: at most `maxEndpoints` endpoints (later ones count under OTHER_ENDPOINT) and
// `maxErrorKinds` status/error-code pairs per endpoint.

const OTHER_ENDPOINT = '(other endpoints)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONG_HEX = /^(?=.*\d)[0-9a-f]{16,}$/i;
const NUMERIC = /^\d+$/;
/** `http://host/orders/123?x=1` → `/orders/{id}`: numbers, UUIDs and long hex strings become `{id}`. */
function collapseUrl(url) {
    let pathname = url;
    const scheme = url.indexOf('://');
    if (scheme !== -1) {
        const slash = url.indexOf('/', scheme + 3);
        pathname = slash === -1 ? '/' : url.slice(slash);
    }
    const query = pathname.search(/[?#]/);
    if (query !== -1)
        pathname = pathname.slice(0, query);
    return pathname
        .split('/')
        .map((part) => (NUMERIC.test(part) || UUID.test(part) || LONG_HEX.test(part) ? '{id}' : part))
        .join('/');
}
/** The endpoint a request counts under: its `name` tag unless k6 just copied the URL there. */
function endpointName(tags) {
    const method = tags.method;
    const name = tags.name;
    if (name !== undefined && name !== '' && name !== tags.url)
        return name;
    const url = tags.url ?? name ?? '';
    return `${method ? `${method} ` : ''}${collapseUrl(url)}`;
}
class EndpointBreakdown {
    options;
    endpoints = new Map();
    maxEndpoints;
    maxErrorKinds;
    constructor(options = {}) {
        this.options = options;
        this.maxEndpoints = options.maxEndpoints ?? 200;
        this.maxErrorKinds = options.maxErrorKinds ?? 20;
    }
    /** The metrics whose Points this breakdown reads (their tags are parsed only then). */
    static wants(metric) {
        return metric === 'http_req_duration' || metric === 'http_req_failed';
    }
    endpoint(tags) {
        let name = endpointName(tags);
        let state = this.endpoints.get(name);
        if (state)
            return state;
        if (this.endpoints.size >= this.maxEndpoints) {
            name = OTHER_ENDPOINT;
            state = this.endpoints.get(name);
            if (state)
                return state;
        }
        state = {
            endpoint: name,
            method: name === OTHER_ENDPOINT ? undefined : tags.method,
            duration: new histogram/* TrendAccumulator */.il({ exactLimit: this.options.exactLimit, relativeError: this.options.relativeError }),
            requests: 0,
            failed: 0,
            errors: new Map(),
        };
        this.endpoints.set(name, state);
        return state;
    }
    /**
     * One tag set of HTTP requests already summed by k6 (its remote-write output): `count` requests
     * whose durations are `duration`, `failed` of them failed, first seen at `firstAt`.
     */
    requests(tags, count, failed, firstAt, duration) {
        const state = this.endpoint(tags);
        state.requests += count;
        duration(state.duration);
        if (failed > 0)
            this.failure(state, tags, failed, firstAt);
    }
    failure(state, tags, times, at) {
        state.failed += times;
        const status = tags.status ?? '0';
        const key = `${status}\u0000${tags.error_code ?? ''}`;
        const kind = state.errors.get(key);
        if (kind) {
            kind.count += times;
            if (at < kind.firstAt)
                kind.firstAt = at;
        }
        else if (state.errors.size < this.maxErrorKinds) {
            state.errors.set(key, { status, errorCode: tags.error_code, count: times, firstAt: at });
        }
    }
    point(metric, value, at, tags) {
        const state = this.endpoint(tags);
        if (metric === 'http_req_duration') {
            state.requests++;
            state.duration.add(value);
            return;
        }
        // http_req_failed: 1 = the request failed (status outside expected_response, or no response).
        if (value === 0)
            return;
        this.failure(state, tags, 1, at);
    }
}

// EXTERNAL MODULE: ./src/samples/ndjson.ts + 1 modules
var ndjson = __nccwpck_require__(9863);
;// CONCATENATED MODULE: ./src/samples/aggregator.ts
// The one streaming sample aggregator: turns k6's `--out json` lines into compact per-series
// state (counts, sums, bounded trend histograms, per-file gauges, checks) and, when asked, a
// per-endpoint breakdown with the error mix. The shard merge feeds it finished files; live
// analysis feeds it a file while k6 is still writing it; the noise bands read its trends.
//
// Memory is bounded whatever the run length: a trend keeps at most DEFAULT_EXACT_LIMIT numbers,
// then a log histogram (see histogram.ts); the breakdown caps its endpoints and error kinds.




/** A sample file that is not what k6 writes, or that contradicts another one. */
class SampleError extends errors/* ExpectedError */.Dh {
    constructor(message, options) {
        super(message, options);
        this.name = 'SampleError';
    }
}
/** `http_req_duration{name:login,method:GET}` → parent and tag pairs, the way k6 reads them. */
function parseSubmetricName(name) {
    const open = name.indexOf('{');
    if (open === -1)
        return undefined;
    if (!name.endsWith('}')) {
        throw new SampleError(`submetric ${JSON.stringify(name)} has no closing "}"; expected e.g. "http_req_duration{name:login}"`);
    }
    const parent = name.slice(0, open).trim();
    const tags = [];
    for (const part of name.slice(open + 1, -1).split(',')) {
        const colon = part.indexOf(':');
        if (colon <= 0) {
            throw new SampleError(`submetric ${JSON.stringify(name)}: ${JSON.stringify(part)} is not tag:value; expected e.g. "http_req_duration{name:login}"`);
        }
        const unquote = (s) => s.trim().replace(/^["'`]|["'`]$/g, '');
        tags.push([unquote(part.slice(0, colon)), unquote(part.slice(colon + 1))]);
    }
    return { parent, tags };
}
/** One string per tag set, whatever the order of its tags. */
function tagKey(tags) {
    return tags
        .map(([k, v]) => `${k}\u0000${v}`)
        .sort()
        .join('\u0001');
}
/** Distinct tag sets whose parsed form is kept. */
const TAG_SET_CACHE = 4096;
const METRIC_TYPES = new Set(['trend', 'rate', 'counter', 'gauge']);
class SampleAggregator {
    input;
    metrics = new Map();
    /** Submetrics wanted before their parent is defined: parent → name → tags. */
    pending = new Map();
    thresholds = new Map();
    checks = new Map();
    samples = 0;
    longestSpanMs = 0;
    /** Parsed tag sets by their JSON text (read-only once parsed: points share them). */
    tagSets = new Map();
    lastTimeText = '';
    lastTime = NaN;
    /** Per-endpoint and error-mix state; only when asked for (the shard merge does not need it). */
    breakdown;
    constructor(input = {}) {
        this.input = input;
        this.breakdown = input.breakdown ? new EndpointBreakdown(input.breakdown === true ? {} : input.breakdown) : undefined;
    }
    wantSubmetric(name) {
        const parsed = parseSubmetricName(name);
        if (!parsed)
            return;
        const known = this.metrics.get(parsed.parent);
        if (known) {
            this.attachSubmetric(known, name, parsed.tags);
            return;
        }
        const forParent = this.pending.get(parsed.parent) ?? new Map();
        forParent.set(name, parsed.tags);
        this.pending.set(parsed.parent, forParent);
    }
    addThreshold(metric, expression) {
        const list = this.thresholds.get(metric) ?? [];
        if (!list.includes(expression))
            list.push(expression);
        this.thresholds.set(metric, list);
        this.wantSubmetric(metric);
    }
    newSeries(name, type, tags) {
        return {
            name,
            tags,
            samples: 0,
            sum: 0,
            nonZero: 0,
            trend: type === 'trend' ? new histogram/* TrendAccumulator */.il({ exactLimit: this.input.exactLimit, relativeError: this.input.relativeError }) : undefined,
            gauges: type === 'gauge' ? new Map() : undefined,
        };
    }
    attachSubmetric(metric, name, tags) {
        const key = tagKey(tags);
        if (metric.submetrics.some((s) => tagKey(s.tags) === key))
            return;
        if (metric.main.samples > 0) {
            // Only when shard files disagree on a metric's submetrics: earlier points were not matched.
            this.input.log?.warning(`submetric ${name} first appears after ${metric.main.samples} points of ${metric.name}; its numbers miss those points (were the shards run from different scripts?)`);
        }
        metric.submetrics.push(this.newSeries(name, metric.type, tags));
    }
    define(data, where) {
        const name = data.name;
        const type = data.type;
        if (typeof name !== 'string' || !METRIC_TYPES.has(type)) {
            throw new SampleError(`${where}: Metric line without a name and a type of trend, rate, counter or gauge: ${JSON.stringify(data).slice(0, 160)}`);
        }
        let metric = this.metrics.get(name);
        if (!metric) {
            const contains = ['time', 'data', 'default'].includes(data.contains)
                ? data.contains
                : 'default';
            metric = { name, type, contains, main: this.newSeries(name, type), submetrics: [] };
            this.metrics.set(name, metric);
            for (const [subName, tags] of this.pending.get(name) ?? [])
                this.attachSubmetric(metric, subName, tags);
            this.pending.delete(name);
        }
        else if (metric.type !== type) {
            throw new SampleError(`${where}: metric ${name} is a ${type} here but a ${metric.type} in an earlier file; were the shards run from different scripts?`);
        }
        if (Array.isArray(data.thresholds)) {
            for (const expression of data.thresholds)
                if (typeof expression === 'string')
                    this.addThreshold(name, expression);
        }
        if (Array.isArray(data.submetrics)) {
            for (const sub of data.submetrics) {
                if (sub && typeof sub.name === 'string' && sub.tags && typeof sub.tags === 'object') {
                    this.attachSubmetric(metric, sub.name, Object.entries(sub.tags).map(([k, v]) => [k, String(v)]));
                }
            }
        }
    }
    parseTime(text) {
        if (text === this.lastTimeText)
            return this.lastTime;
        if (typeof text !== 'string')
            return NaN;
        this.lastTimeText = text;
        this.lastTime = Date.parse(text);
        return this.lastTime;
    }
    /** Whether Points of this metric need their tags (submetrics, checks); others skip parsing them. */
    needsTags(metric) {
        return (metric.submetrics.length > 0 || metric.name === 'checks' || (this.breakdown !== undefined && EndpointBreakdown.wants(metric.name)));
    }
    metricOf(metricName, where) {
        const metric = this.metrics.get(metricName);
        if (!metric) {
            throw new SampleError(`${where()}: a Point of metric ${JSON.stringify(metricName)} comes before its Metric line; expected k6 --out json output`);
        }
        return metric;
    }
    point(metric, time, value, tags, fileIndex, span, where) {
        const metricName = metric.name;
        if (typeof value !== 'number') {
            throw new SampleError(`${where()}: Point of ${metricName} has value ${JSON.stringify(value)}; expected a number`);
        }
        const at = this.parseTime(time);
        if (!(at >= this.firstTime))
            this.firstTime = Number.isNaN(this.firstTime) ? at : Math.min(this.firstTime, at);
        if (at < span.first)
            span.first = at;
        if (at > span.last)
            span.last = at;
        this.samples++;
        this.record(metric.main, metric.type, value, at, fileIndex);
        if (tags) {
            if (this.breakdown !== undefined && EndpointBreakdown.wants(metricName))
                this.breakdown.point(metricName, value, at, tags);
            for (const sub of metric.submetrics) {
                let match = true;
                for (const [k, v] of sub.tags) {
                    if (tags[k] !== v) {
                        match = false;
                        break;
                    }
                }
                if (match)
                    this.record(sub, metric.type, value, at, fileIndex);
            }
            if (metricName === 'checks' && typeof tags.check === 'string') {
                const group = tags.group ?? '';
                const key = `${group}\u0000${tags.check}`;
                let check = this.checks.get(key);
                if (!check) {
                    check = { name: tags.check, path: `${group}::${tags.check}`, passes: 0, fails: 0 };
                    this.checks.set(key, check);
                }
                if (value !== 0)
                    check.passes++;
                else
                    check.fails++;
            }
        }
        if (this.samples % 100_000 === 0)
            this.input.onProgress?.(this.samples);
    }
    /** First sample time (ms since the epoch) over every point seen; NaN before the first. */
    firstTime = NaN;
    /**
     * Takes one line of k6's `--out json` output. `span` collects this file's first and last sample
     * time; `where` names the line in messages.
     */
    line(line, fileIndex, span, where) {
        const fast = (0,ndjson/* readPointFast */.hh)(line);
        if (fast) {
            const metric = this.metricOf(fast.metric, where);
            let tags;
            if (this.needsTags(metric)) {
                // k6 repeats a handful of tag sets (one per endpoint and status) millions of times: parse each once.
                tags = this.tagSets.get(fast.tagsText);
                if (!tags) {
                    try {
                        tags = JSON.parse(fast.tagsText);
                    }
                    catch {
                        throw new SampleError(`${where()}: the tags of this Point are not JSON: ${JSON.stringify(fast.tagsText.slice(0, 120))}`);
                    }
                    // Bounded: a run with ever-new tag sets (IDs in URLs) starts the cache over instead of growing it.
                    if (this.tagSets.size >= TAG_SET_CACHE)
                        this.tagSets.clear();
                    this.tagSets.set(fast.tagsText, tags);
                }
            }
            this.point(metric, fast.time, fast.value, tags, fileIndex, span, where);
            return;
        }
        if (line.trim() === '')
            return;
        let entry;
        try {
            entry = JSON.parse(line);
        }
        catch {
            throw new SampleError(`${where()} is not JSON: ${JSON.stringify(line.slice(0, 120))}; expected k6 --out json lines (was the file cut short?)`);
        }
        const data = (entry.data ?? {});
        if (entry.type === 'Point') {
            this.point(this.metricOf(String(entry.metric), where), data.time, data.value, data.tags ?? {}, fileIndex, span, where);
        }
        else if (entry.type === 'Metric') {
            this.define(data, where());
        }
        else {
            throw new SampleError(`${where()} has type ${JSON.stringify(entry.type)}; expected "Metric" or "Point" lines of k6 --out json`);
        }
    }
    /**
     * One trend series of k6's remote-write output (src/samples/remote-write.ts), summed over the run:
     * its tags and bucketed distribution, into the metric and every submetric whose tags it matches.
     */
    trendSeries(name, contains, tags, distribution) {
        this.define({ name, type: 'trend', contains }, 'k6 remote write');
        const metric = this.metrics.get(name);
        this.samples += distribution.count;
        const into = (series) => {
            series.samples += distribution.count;
            series.sum += distribution.sum;
            series.nonZero += distribution.count - distribution.zeros;
            series.trend.addBuckets(distribution);
        };
        into(metric.main);
        for (const sub of metric.submetrics)
            if (sub.tags.every(([k, v]) => tags[k] === v))
                into(sub);
    }
    /** The trend statistics of a metric or submetric (`http_req_duration{name:login}`), if it has samples. */
    trend(name) {
        const s = this.series(name);
        return s?.trend;
    }
    /** Passes (non-zero samples) and fails of a rate metric or submetric, if it has samples. */
    rate(name) {
        const s = this.series(name);
        const metric = this.metrics.get(parseSubmetricName(name)?.parent ?? name);
        if (!s || metric?.type !== 'rate')
            return undefined;
        return { passes: s.nonZero, fails: s.samples - s.nonZero };
    }
    series(name) {
        const parsed = parseSubmetricName(name);
        const metric = this.metrics.get(parsed?.parent ?? name);
        if (!metric)
            return undefined;
        const s = parsed ? metric.submetrics.find((sub) => tagKey(sub.tags) === tagKey(parsed.tags)) : metric.main;
        return s && s.samples > 0 ? s : undefined;
    }
    record(series, type, value, time, fileIndex) {
        series.samples++;
        series.sum += value;
        if (value !== 0)
            series.nonZero++;
        if (type === 'trend') {
            series.trend.add(value);
        }
        else if (type === 'gauge') {
            const state = series.gauges.get(fileIndex);
            if (!state) {
                series.gauges.set(fileIndex, { last: value, lastTime: time, min: value, max: value });
            }
            else {
                if (!(time < state.lastTime)) {
                    state.last = value;
                    state.lastTime = time;
                }
                if (value < state.min)
                    state.min = value;
                if (value > state.max)
                    state.max = value;
            }
        }
    }
}


/***/ }),

/***/ 945:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   YY: () => (/* binding */ DEFAULT_RELATIVE_ERROR),
/* harmony export */   il: () => (/* binding */ TrendAccumulator)
/* harmony export */ });
/* unused harmony exports DEFAULT_EXACT_LIMIT, LogHistogram */
// Trend statistics that stay bounded in memory however many samples arrive.
//
// A trend keeps its samples exactly while there are few (percentiles then match k6's own to the
// last digit); past `exactLimit` samples it folds them into a log-bucketed histogram whose buckets
// are a constant ratio apart (the DDSketch construction). Every value then lands in a bucket whose
// representative is within `relativeError` of it, so a reported percentile is within that relative
// error of a sample value at the same rank. count, sum (avg), min and max stay exact in both modes.
/** Relative precision of histogram mode: 0.001 = any percentile within ±0.1% of the true sample value. */
const DEFAULT_RELATIVE_ERROR = 0.001;
/** Samples kept exactly per series before switching to the histogram (8 bytes each: 512 KiB). */
const DEFAULT_EXACT_LIMIT = 65_536;
/**
 * Counts per integer bucket key in one dense array (keys of one series sit in a narrow range: ±0.1 %
 * buckets from 1 µs to 1 h are ~11,000 keys, 90 KiB), grown on either side as keys arrive. A Map was
 * the costliest step of the shard merge; an array index is a few nanoseconds. The whole range of a
 * double is ~700,000 keys, so even an absurd series stays within a few MiB.
 */
class BucketCounts {
    counts = new Float64Array(0);
    /** Key of counts[0]. */
    offset = 0;
    /** Buckets with a count above 0. */
    size = 0;
    add(key, n) {
        let i = key - this.offset;
        if (i < 0 || i >= this.counts.length) {
            this.grow(key);
            i = key - this.offset;
        }
        if (this.counts[i] === 0 && n > 0)
            this.size++;
        this.counts[i] += n;
    }
    grow(key) {
        if (this.counts.length === 0) {
            this.counts = new Float64Array(64);
            this.offset = key - 32;
            return;
        }
        const low = Math.min(this.offset, key);
        const high = Math.max(this.offset + this.counts.length, key + 1);
        // Room to spare on the side that grew, so a drifting series does not copy on every new key.
        const spare = Math.max(64, (high - low) >> 1);
        const from = key < this.offset ? low - spare : low;
        const grown = new Float64Array(high - low + spare);
        grown.set(this.counts, this.offset - from);
        this.counts = grown;
        this.offset = from;
    }
    /** [key, count] of every non-empty bucket, keys ascending. */
    *ascending() {
        for (let i = 0; i < this.counts.length; i++)
            if (this.counts[i] > 0)
                yield [i + this.offset, this.counts[i]];
    }
    /** The same, keys descending. */
    *descending() {
        for (let i = this.counts.length - 1; i >= 0; i--)
            if (this.counts[i] > 0)
                yield [i + this.offset, this.counts[i]];
    }
}
/**
 * Fractional counts (addRange) that should sum to a whole number of samples sum to a hair less in
 * floating point: without this slack, the first rank of a coarse bucket would be read from the end
 * of the bucket below it (a p(95) between two native buckets came out one bucket low).
 */
const RANK_SLACK = 1e-7;
/** A log-bucketed histogram with a fixed relative error; negative values and zero are kept apart. */
class LogHistogram {
    relativeError;
    logGamma;
    gamma;
    positive = new BucketCounts();
    negative = new BucketCounts();
    zeros = 0;
    total = 0;
    constructor(relativeError = DEFAULT_RELATIVE_ERROR) {
        if (!(relativeError > 0 && relativeError < 1)) {
            throw new RangeError(`relative error ${relativeError} is out of range; expected a number between 0 and 1, e.g. 0.001`);
        }
        this.relativeError = relativeError;
        this.gamma = (1 + relativeError) / (1 - relativeError);
        this.logGamma = Math.log(this.gamma);
    }
    get count() {
        return this.total;
    }
    /** Distinct buckets in use: what the memory of this histogram grows with. */
    get buckets() {
        return this.positive.size + this.negative.size + (this.zeros > 0 ? 1 : 0);
    }
    add(value, times = 1) {
        this.total += times;
        if (value === 0) {
            this.zeros += times;
            return;
        }
        const store = value > 0 ? this.positive : this.negative;
        store.add(Math.ceil(Math.log(Math.abs(value)) / this.logGamma), times);
    }
    /**
     * `count` values known only to lie in (lower, upper] (a coarser histogram's bucket, 0 < lower <
     * upper): spread over this histogram's buckets in proportion to their overlap in log space — the
     * same within-bucket assumption Prometheus makes when it reads a quantile from a native histogram.
     */
    addRange(lower, upper, count) {
        if (!(lower > 0 && upper > lower)) {
            this.add(upper, count);
            return;
        }
        this.total += count;
        const from = Math.log(lower) / this.logGamma;
        const to = Math.log(upper) / this.logGamma;
        for (let key = Math.floor(from) + 1; key - 1 < to; key++) {
            const overlap = Math.min(key, to) - Math.max(key - 1, from);
            if (overlap > 0)
                this.positive.add(key, (count * overlap) / (to - from));
        }
    }
    representative(key) {
        // The point of the bucket (gamma^(k-1), gamma^k] with the same relative distance to both ends.
        return (2 * Math.pow(this.gamma, key)) / (this.gamma + 1);
    }
    /** The value at 0-based rank `rank` in sorted order (approximate within relativeError). */
    valueAtRank(rank) {
        if (this.total === 0)
            return NaN;
        let remaining = Math.min(Math.max(Math.floor(rank), 0), this.total - 1);
        // Most negative first: the largest magnitude bucket of the negative store.
        let last = NaN;
        for (const [key, n] of this.negative.descending()) {
            if (remaining < n - RANK_SLACK)
                return -this.representative(key);
            remaining -= n;
            last = -this.representative(key);
        }
        if (remaining < this.zeros - RANK_SLACK)
            return 0;
        remaining -= this.zeros;
        if (this.zeros > 0)
            last = 0;
        for (const [key, n] of this.positive.ascending()) {
            if (remaining < n - RANK_SLACK)
                return this.representative(key);
            remaining -= n;
            last = this.representative(key);
        }
        // Fractional counts (addRange) can leave the last rank a hair past their sum: the top bucket.
        return last;
    }
}
/** The statistics of one trend series (a metric or one of its submetrics). */
class TrendAccumulator {
    count = 0;
    sum = 0;
    min = Infinity;
    max = -Infinity;
    exact = new Float64Array(64);
    sorted = true;
    histogram;
    exactLimit;
    relativeError;
    constructor(options = {}) {
        this.exactLimit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
        this.relativeError = options.relativeError ?? DEFAULT_RELATIVE_ERROR;
    }
    /** True while every percentile is exact. */
    get isExact() {
        return this.histogram === undefined;
    }
    add(value) {
        if (value < this.min)
            this.min = value;
        if (value > this.max)
            this.max = value;
        this.sum += value;
        if (this.exact) {
            if (this.count === this.exact.length) {
                if (this.count >= this.exactLimit) {
                    this.histogram = new LogHistogram(this.relativeError);
                    for (let i = 0; i < this.count; i++)
                        this.histogram.add(this.exact[i]);
                    this.exact = undefined;
                    this.histogram.add(value);
                    this.count++;
                    return;
                }
                const grown = new Float64Array(Math.min(this.exact.length * 2, this.exactLimit));
                grown.set(this.exact);
                this.exact = grown;
            }
            this.exact[this.count] = value;
            this.sorted = false;
        }
        else {
            this.histogram.add(value);
        }
        this.count++;
    }
    /**
     * Folds in a bucketed distribution (k6's native histograms arrive this way, see remote-write.ts):
     * `count` values with this `sum`, of which `zeros` are 0 and the rest lie in the given ranges.
     * Percentiles are then only as fine as those buckets (see LogHistogram.addRange); count, sum and
     * avg stay exact, min and max become the outermost bucket edges.
     */
    addBuckets(input) {
        if (input.count <= 0)
            return;
        // One value is known exactly: it is the sum.
        if (input.count === 1 && this.count === 0) {
            this.add(input.sum);
            return;
        }
        if (!this.histogram) {
            this.histogram = new LogHistogram(this.relativeError);
            for (let i = 0; i < this.count; i++)
                this.histogram.add(this.exact[i]);
            this.exact = undefined;
        }
        if (input.zeros > 0) {
            this.histogram.add(0, input.zeros);
            this.min = Math.min(this.min, 0);
            this.max = Math.max(this.max, 0);
        }
        for (const [lower, upper, n] of input.ranges) {
            if (n <= 0)
                continue;
            this.histogram.addRange(lower, upper, n);
            this.min = Math.min(this.min, lower);
            this.max = Math.max(this.max, upper);
        }
        this.count += input.count;
        this.sum += input.sum;
    }
    /** The value at 0-based rank `rank` in sorted order (exact, or within relativeError in histogram mode). */
    valueAtRank(rank) {
        if (this.exact) {
            if (!this.sorted) {
                this.exact.subarray(0, this.count).sort();
                this.sorted = true;
            }
            return this.exact[rank];
        }
        // The extremes are known exactly; a bucket's representative can fall a hair outside them.
        if (rank <= 0)
            return this.min;
        if (rank >= this.count - 1)
            return this.max;
        return Math.min(Math.max(this.histogram.valueAtRank(rank), this.min), this.max);
    }
    /**
     * The percentile the way k6's trend sink computes it: rank p·(n−1) in sorted order, linear
     * interpolation between the two neighbouring samples.
     */
    percentile(p) {
        if (this.count === 0)
            return NaN;
        if (this.count === 1)
            return this.min;
        const position = (p / 100) * (this.count - 1);
        const lower = Math.floor(position);
        const upper = Math.ceil(position);
        const low = this.valueAtRank(lower);
        if (upper === lower)
            return low;
        const high = this.valueAtRank(upper);
        return low + (high - low) * (position - lower);
    }
    get avg() {
        return this.count === 0 ? NaN : this.sum / this.count;
    }
    /** Numbers this accumulator holds, for the memory accounting in tests and logs. */
    get retainedNumbers() {
        return this.exact ? this.exact.length : this.histogram.buckets * 2;
    }
}


/***/ }),

/***/ 9863:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  g3: () => (/* binding */ LineSplitter),
  FF: () => (/* binding */ forEachLine),
  hh: () => (/* binding */ readPointFast)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
;// CONCATENATED MODULE: external "node:string_decoder"
const external_node_string_decoder_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:string_decoder");
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
;// CONCATENATED MODULE: ./src/samples/ndjson.ts
// Reading k6's `--out json` output: newline-delimited JSON, one Metric or Point object a line.
//
// Lines are handed over synchronously per chunk: an async generator would cost a promise per line,
// which at millions of lines is most of the time. The same splitter serves a finished file (the
// shard merge) and a file that is still growing (live analysis).



/** Splits a byte stream into lines; a line cut between two chunks is kept until its end arrives. */
class LineSplitter {
    onLine;
    decoder = new external_node_string_decoder_namespaceObject.StringDecoder('utf8');
    rest = '';
    constructor(onLine) {
        this.onLine = onLine;
    }
    push(chunk) {
        const text = this.rest + this.decoder.write(chunk);
        let start = 0;
        for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
            this.onLine(text.slice(start, end));
            start = end + 1;
        }
        this.rest = start === 0 ? text : text.slice(start);
    }
    /** Bytes of an unfinished last line (a writer may still be in the middle of it). */
    get pending() {
        return this.rest.length;
    }
    /** Hands over the last line even without its newline: the writer has finished. */
    end() {
        const rest = this.rest + this.decoder.end();
        this.rest = '';
        if (rest !== '')
            this.onLine(rest);
    }
}
/** Calls `onLine` for every line of a plain or gzip file, streaming. A read or gunzip failure rejects. */
async function forEachLine(file, onLine) {
    // Generous read-ahead: gunzip runs on libuv's thread pool, and with a buffer of a few MiB it
    // keeps inflating while this thread aggregates the previous chunk instead of waiting for it.
    const source = (0,external_node_fs_.createReadStream)(file, { highWaterMark: 1 << 20 });
    let stream = source;
    if (file.endsWith('.gz')) {
        // ZlibOptions does not list highWaterMark, but zlib streams pass it on to their Transform.
        // 48 KiB pieces: bench:merge measured 16 KiB at 0.85× the speed of zcat (130 MiB RSS), 64 KiB at
        // 0.91–1.02× but 147–152 MiB RSS (larger strings keep V8's young generation bigger), 48 KiB at
        // 0.96–1.06× and 144–147 MiB.
        const gunzip = (0,external_node_zlib_.createGunzip)({ chunkSize: 48 << 10, highWaterMark: 4 << 20 });
        source.on('error', (error) => gunzip.destroy(error));
        stream = source.pipe(gunzip);
    }
    const splitter = new LineSplitter(onLine);
    for await (const chunk of stream)
        splitter.push(chunk);
    splitter.end();
}
const POINT_HEAD = '{"metric":"';
const POINT_TYPE = '","type":"Point","data":{"time":"';
const POINT_VALUE = '","value":';
const POINT_TAGS = ',"tags":';
/**
 * Reads a Point line in the exact layout k6 writes (`{"metric":…,"type":"Point","data":{"time":…,
 * "value":…,"tags":{…}}}`) without building objects for it; any other layout returns undefined and
 * goes through JSON.parse. Metric names and RFC 3339 times hold no quotes or escapes.
 */
function readPointFast(line) {
    if (!line.startsWith(POINT_HEAD) || !line.endsWith('}}'))
        return undefined;
    const nameEnd = line.indexOf('"', POINT_HEAD.length);
    if (nameEnd === -1 || !line.startsWith(POINT_TYPE, nameEnd))
        return undefined;
    const timeStart = nameEnd + POINT_TYPE.length;
    const timeEnd = line.indexOf('"', timeStart);
    if (timeEnd === -1 || !line.startsWith(POINT_VALUE, timeEnd))
        return undefined;
    const valueStart = timeEnd + POINT_VALUE.length;
    const valueEnd = line.indexOf(POINT_TAGS, valueStart);
    if (valueEnd === -1)
        return undefined;
    const valueText = line.slice(valueStart, valueEnd);
    const value = Number(valueText);
    if (valueText === '' || !Number.isFinite(value))
        return undefined;
    return {
        metric: line.slice(POINT_HEAD.length, nameEnd),
        time: line.slice(timeStart, timeEnd),
        value,
        tagsText: line.slice(valueEnd + POINT_TAGS.length, line.length - 2),
    };
}


/***/ }),

/***/ 3715:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Fg: () => (/* binding */ tagsOf),
/* harmony export */   J8: () => (/* binding */ nativeToDistribution),
/* harmony export */   JY: () => (/* binding */ addSummaryChecks),
/* harmony export */   Mf: () => (/* binding */ k6MetricOfSeries),
/* harmony export */   q7: () => (/* binding */ startRemoteWriteAnalysis)
/* harmony export */ });
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_http__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _observability_remote_write_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(2462);
/* harmony import */ var _aggregator_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3244);
// Live sample analysis from k6's own Prometheus remote-write output: k6 aggregates every sample into
// native histograms and counters per tag set in its own process and pushes them once a second to a
// receiver k6-gate runs on loopback. Design and measurements: docs/adr/0004-remote-write-analysis.md.
//
// Why not read `--out json`: serialising every sample costs k6 about half of its top request rate
// on two cores; the remote-write output costs it a few per cent (bench:analysis). The price is
// precision: k6's native histograms grow by ×1.09 per bucket (schema 3), so a percentile read from
// them is interpolated inside a bucket, while count, sum and avg stay exact.
//
// Memory is bounded by the number of tag sets (series), never by the run length: the receiver
// keeps the latest cumulative state of each series (k6 sends totals since the start, and only the
// series that changed since its last push), at most `maxSeries` of them.



/** How often k6 pushes: the resolution of an error kind's first-seen time. */
const REMOTE_WRITE_PUSH_INTERVAL_MS = 1000;
/** Series kept before new ones are counted and dropped (k6 holds the same series itself). */
const DEFAULT_MAX_SERIES = 50_000;
/** A push larger than this is refused (k6's pushes of a few thousand series are a few hundred KiB). */
const MAX_BODY_BYTES = 256 * 2 ** 20;
/** `k6_http_req_duration_seconds` → k6's metric name, what it contains, and the factor back to k6's unit. */
function k6MetricOfSeries(promName, isHistogram) {
    if (!promName.startsWith('k6_'))
        return undefined;
    const base = promName.slice(3);
    if (isHistogram) {
        // Prometheus base units: k6 sends time in seconds (its own unit is ms) and data in bytes.
        if (base.endsWith('_seconds'))
            return { name: base.slice(0, -8), kind: 'trend', contains: 'time', scale: 1000 };
        if (base.endsWith('_bytes'))
            return { name: base.slice(0, -6), kind: 'trend', contains: 'data', scale: 1 };
        return { name: base, kind: 'trend', contains: 'default', scale: 1 };
    }
    if (base.endsWith('_total'))
        return { name: base.slice(0, -6), kind: 'counter', contains: 'default', scale: 1 };
    if (base.endsWith('_rate'))
        return { name: base.slice(0, -5), kind: 'rate', contains: 'default', scale: 1 };
    return { name: base, kind: 'gauge', contains: 'default', scale: 1 };
}
/** A native histogram's buckets as value ranges in k6's unit (ms for time). */
function nativeToDistribution(h, scale) {
    const base = Math.pow(2, Math.pow(2, -h.schema));
    const ranges = [];
    for (const [index, count] of h.positive) {
        ranges.push([Math.pow(base, index - 1) * scale, Math.pow(base, index) * scale, count]);
    }
    // k6 records no negative durations or sizes; a custom trend may. Their buckets mirror the positive ones.
    for (const [index, count] of h.negative) {
        ranges.push([-Math.pow(base, index) * scale, -Math.pow(base, index - 1) * scale, count]);
    }
    return { count: h.count, sum: h.sum * scale, zeros: h.zeroCount, ranges };
}
const IGNORED_LABELS = new Set(['__name__', 'k6_feature_native_histograms']);
/** A series' k6 tags: its labels without the metric name and k6's feature label. */
function tagsOf(labels) {
    const tags = {};
    for (const [k, v] of Object.entries(labels))
        if (!IGNORED_LABELS.has(k))
            tags[k] = v;
    return tags;
}
/** A series' identity: its labels (name included), in any order. */
function seriesKey(labels) {
    return (0,_aggregator_js__WEBPACK_IMPORTED_MODULE_2__/* .tagKey */ .E4)(Object.entries(labels));
}
/** Starts the loopback receiver; point k6's `experimental-prometheus-rw` output at `url`. */
async function startRemoteWriteAnalysis(options = {}) {
    const maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    const series = new Map();
    let bytes = 0;
    let pushes = 0;
    const dropped = new Set();
    let problem;
    let firstPushAt = NaN;
    const startedAt = Date.now();
    const accept = (decoded, receivedAt) => {
        options.windows?.accept(decoded, receivedAt);
        keepNewest(series, decoded, receivedAt, { maxSeries, dropped });
    };
    const server = node_http__WEBPACK_IMPORTED_MODULE_0___default().createServer((req, res) => {
        if (req.method !== 'POST') {
            res.writeHead(405).end();
            return;
        }
        receiveBody(req, (body, size) => {
            bytes += size;
            if (!body) {
                problem ??= `k6 pushed ${size} bytes at once; more than the ${MAX_BODY_BYTES / 2 ** 20} MiB k6-gate accepts`;
                res.writeHead(413).end();
                return;
            }
            const receivedAt = Date.now();
            try {
                accept((0,_observability_remote_write_js__WEBPACK_IMPORTED_MODULE_1__/* .decodeRemoteWriteBody */ .YL)(body), receivedAt);
                pushes++;
                if (Number.isNaN(firstPushAt))
                    firstPushAt = receivedAt;
                res.writeHead(204).end();
            }
            catch (error) {
                if (!problem) {
                    problem = `a remote-write push from k6 could not be read: ${error.message}`;
                    options.log?.warning(`live analysis: ${problem}`);
                }
                // 400: k6 does not retry a bad request, so one bad push cannot stall it.
                res.writeHead(400).end();
            }
        });
    });
    server.keepAliveTimeout = 5000;
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    const { port } = server.address();
    return {
        url: `http://127.0.0.1:${port}/api/v1/write`,
        series: () => [...series.values()],
        async stop() {
            await new Promise((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            });
            return samplesOf([...series.values()], {
                ...options,
                firstAt: Number.isNaN(firstPushAt) ? startedAt : Math.max(startedAt, firstPushAt - REMOTE_WRITE_PUSH_INTERVAL_MS),
                bytes,
                dropped: dropped.size,
                problem: problem ?? (pushes === 0 ? 'k6 pushed no metrics to the live-analysis receiver' : undefined),
            });
        },
    };
}
/** A push into the per-series state: totals since the start, so the newest push wins; past `maxSeries` a new series is only counted. */
function keepNewest(series, decoded, receivedAt, limit) {
    for (const s of decoded) {
        const key = seriesKey(s.labels);
        let state = series.get(key);
        if (!state) {
            if (series.size >= limit.maxSeries) {
                if (limit.dropped.size < limit.maxSeries)
                    limit.dropped.add(key);
                continue;
            }
            state = { labels: s.labels, firstAt: receivedAt };
            series.set(key, state);
        }
        const h = s.histograms.at(-1);
        if (h)
            state.histogram = h;
        // NaN: Prometheus' stale marker (k6 ends a series with one); the series keeps its last number.
        const sample = s.samples.filter((x) => !Number.isNaN(x.value)).at(-1);
        if (sample)
            state.value = sample.value;
    }
}
/** A push's body, or undefined when it is over MAX_BODY_BYTES (then only its size is counted). */
function receiveBody(req, done) {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES)
            chunks.push(chunk);
    });
    req.on('end', () => done(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks), size));
}
/** The receiver's final per-series state → the one sample aggregator's view (pure). */
function samplesOf(all, context) {
    const aggregator = new _aggregator_js__WEBPACK_IMPORTED_MODULE_2__/* .SampleAggregator */ .oA({ breakdown: true, ...context.aggregator, log: context.log });
    for (const name of context.watched ?? [])
        aggregator.wantSubmetric(name);
    aggregator.firstTime = context.firstAt;
    // http_req_failed's rate per tag set, for requests whose tags lack expected_response.
    const failedRate = new Map();
    for (const s of all) {
        if (s.labels.__name__ === 'k6_http_req_failed_rate' && s.value !== undefined)
            failedRate.set(seriesKey(tagsOf(s.labels)), s.value);
    }
    for (const s of all) {
        const metric = k6MetricOfSeries(s.labels.__name__ ?? '', s.histogram !== undefined);
        if (!metric || metric.kind !== 'trend' || !s.histogram)
            continue;
        const tags = tagsOf(s.labels);
        const distribution = nativeToDistribution(s.histogram, metric.scale);
        aggregator.trendSeries(metric.name, metric.contains, tags, distribution);
        if (metric.name === 'http_req_duration' && aggregator.breakdown) {
            const rate = failedRate.get(seriesKey(tags));
            const failed = tags.expected_response !== undefined
                ? tags.expected_response === 'false'
                    ? distribution.count
                    : 0
                : Number.isFinite(rate)
                    ? Math.round(rate * distribution.count)
                    : 0;
            aggregator.breakdown.requests(tags, distribution.count, failed, s.firstAt, (acc) => acc.addBuckets(distribution));
        }
    }
    let problem = context.problem;
    if (context.dropped > 0) {
        const note = `${context.dropped} time series past the first ${context.maxSeries ?? DEFAULT_MAX_SERIES} were not analysed (too many distinct tag sets: name requests with a \`name\` tag)`;
        problem = problem ? `${problem}; ${note}` : note;
        context.log?.warning(`live analysis: ${note}`);
    }
    return { aggregator, samples: aggregator.samples, badLines: 0, problem, bytes: context.bytes, source: 'remote-write' };
}
/**
 * Remote write sends a check's pass rate but not its counts, so the checks of a remote-write run
 * come from k6's summary (which has both); a JSON-file run counted them sample by sample already.
 */
function addSummaryChecks(samples, checks) {
    if (samples.source !== 'remote-write')
        return;
    for (const check of checks)
        samples.aggregator.checks.set(check.path ?? check.name, { ...check });
}


/***/ }),

/***/ 4774:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Jv: () => (/* binding */ SIDE_LABEL),
/* harmony export */   Qu: () => (/* binding */ trendOfWindows),
/* harmony export */   SQ: () => (/* binding */ DuetWindows)
/* harmony export */ });
/* unused harmony exports DEFAULT_WINDOW_MS, histogramDelta, addHistogram */
/* harmony import */ var _aggregator_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3244);
/* harmony import */ var _histogram_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(945);
/* harmony import */ var _remote_write_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3715);



/** The label k6 adds to every series of a `k6 run --tag side=A` process. */
const SIDE_LABEL = 'side';
/** Window length: one of k6's 1 s pushes (docs/verdicts.md, "Duet verdicts", argues the choice). */
const DEFAULT_WINDOW_MS = 1000;
function emptyHistogram(schema, scale = 1) {
    return { count: 0, sum: 0, zeroCount: 0, schema, positive: new Map(), negative: new Map(), scale };
}
/** `current − previous` of one cumulative series; the whole `current` when it restarted or is new. */
function histogramDelta(current, previous) {
    const restarted = !previous || current.count < previous.count || current.schema !== previous.schema;
    const delta = emptyHistogram(current.schema);
    delta.count = current.count - (restarted ? 0 : previous.count);
    delta.sum = current.sum - (restarted ? 0 : previous.sum);
    delta.zeroCount = current.zeroCount - (restarted ? 0 : previous.zeroCount);
    for (const [which, out] of [
        ['positive', delta.positive],
        ['negative', delta.negative],
    ]) {
        for (const [index, n] of current[which]) {
            const d = n - (restarted ? 0 : (previous[which].get(index) ?? 0));
            if (d > 0)
                out.set(index, d);
        }
    }
    return delta;
}
/** Adds `h` into `into` (same schema; a different schema is rebucketed to the coarser one). */
function addHistogram(into, h) {
    if (h.count === 0)
        return;
    if (into.count === 0 && into.positive.size === 0 && into.negative.size === 0)
        into.schema = h.schema;
    // A coarser schema's bucket i holds the finer one's buckets (i−1)·2^s + 1 … i·2^s.
    const shift = h.schema - into.schema;
    const index = (i) => (shift <= 0 ? i : Math.ceil(i / 2 ** shift));
    into.count += h.count;
    into.sum += h.sum;
    into.zeroCount += h.zeroCount;
    for (const [i, n] of h.positive)
        into.positive.set(index(i), (into.positive.get(index(i)) ?? 0) + n);
    for (const [i, n] of h.negative)
        into.negative.set(index(i), (into.negative.get(index(i)) ?? 0) + n);
}
/** A trend accumulator over window histograms, in k6's unit: percentiles the way k6 reads them, from the buckets. */
function trendOfWindows(histograms) {
    const trend = new _histogram_js__WEBPACK_IMPORTED_MODULE_2__/* .TrendAccumulator */ .il();
    for (const h of histograms) {
        if (!h || h.count <= 0)
            continue;
        trend.addBuckets((0,_remote_write_js__WEBPACK_IMPORTED_MODULE_1__/* .nativeToDistribution */ .J8)({ ...h, zeroThreshold: 0, timestampMs: 0 }, h.scale));
    }
    return trend;
}
/**
 * Keeps per-side, per-window differences of k6's cumulative pushes. Feed it every decoded push with
 * the time it arrived; read `windows(side)` at any time (the last window may still be filling).
 */
class DuetWindows {
    windowMs;
    trends;
    origin;
    cumulative = new Map();
    /** side → window index → what that side measured. */
    bySide = new Map();
    /** Series without a side label (not part of a duet). */
    unlabelled = 0;
    constructor(options = {}) {
        this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
        if (!(this.windowMs > 0))
            throw new RangeError(`window length ${this.windowMs} ms; expected a positive number of ms`);
        this.trends = new Set(options.trends ?? ['http_req_duration']);
        this.origin = options.origin;
    }
    /** The sides seen so far, sorted (`['A', 'B']` in a duet). */
    get sides() {
        return [...this.bySide.keys()].sort();
    }
    /** The window a push received at `at` belongs to. */
    windowOf(at) {
        // Boundaries half a window away from the first process's pushes, so its pushes' jitter does not
        // move them from one window to the next.
        this.origin ??= at - this.windowMs / 2;
        return Math.max(0, Math.floor((at - this.origin) / this.windowMs));
    }
    window(side, index) {
        let list = this.bySide.get(side);
        if (!list) {
            list = [];
            this.bySide.set(side, list);
        }
        while (list.length <= index)
            list.push({ trends: new Map(), failedRequests: 0, requests: 0, pushes: 0 });
        return list[index];
    }
    /** One push from one k6 process, received at `at` (ms since the epoch). */
    accept(decoded, at) {
        const index = this.windowOf(at);
        const touched = new Set();
        for (const s of decoded) {
            const side = s.labels[SIDE_LABEL];
            const key = (0,_aggregator_js__WEBPACK_IMPORTED_MODULE_0__/* .tagKey */ .E4)(Object.entries(s.labels));
            const previous = this.cumulative.get(key);
            const histogram = s.histograms.at(-1);
            const sample = s.samples.at(-1);
            this.cumulative.set(key, { histogram: histogram ?? previous?.histogram, value: sample?.value ?? previous?.value });
            if (side === undefined) {
                this.unlabelled++;
                continue;
            }
            if (!histogram)
                continue;
            const metric = (0,_remote_write_js__WEBPACK_IMPORTED_MODULE_1__/* .k6MetricOfSeries */ .Mf)(s.labels.__name__ ?? '', true);
            if (!metric || !this.trends.has(metric.name))
                continue;
            const delta = histogramDelta(histogram, previous?.histogram);
            if (delta.count <= 0)
                continue;
            const window = this.window(side, index);
            touched.add(window);
            let merged = window.trends.get(metric.name);
            if (!merged) {
                merged = emptyHistogram(delta.schema, metric.scale);
                window.trends.set(metric.name, merged);
            }
            addHistogram(merged, delta);
            if (metric.name === 'http_req_duration') {
                window.requests += delta.count;
                if (s.labels.expected_response === 'false')
                    window.failedRequests += delta.count;
            }
        }
        for (const w of touched)
            w.pushes++;
    }
    /** One side's windows, index 0 first; a window with no push of that side is empty (0 requests). */
    windows(side) {
        return this.bySide.get(side) ?? [];
    }
}


/***/ }),

/***/ 4096:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Wd: () => (/* binding */ scenarioKey),
/* harmony export */   d8: () => (/* binding */ resolveScenario),
/* harmony export */   dT: () => (/* binding */ scenarioNameProblem),
/* harmony export */   nZ: () => (/* binding */ splitScenarioList),
/* harmony export */   xe: () => (/* binding */ bundledScenariosDir)
/* harmony export */ });
/* unused harmony export listBundledScenarios */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_url__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _baseline_format_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(8860);
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(2973);
// Scenario resolution: a bundled scenario name or a path to the user's own k6 script, and the key a
// scenario's results have in the baseline. Below the gate so entries, inputs and the operator
// manifest use it without importing the orchestration.






/** The scenarios shipped with k6-gate, next to dist/ (or src/ when run from source). */
function bundledScenariosDir() {
    // No environment variable moves them: a CI/CD variable must not swap the script a gate runs.
    // Resolved at run time from this file's own place (src/ or dist/, both one level below the
    // package root); written so the bundler does not rewrite it into a bundled asset path.
    const here = node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname((0,node_url__WEBPACK_IMPORTED_MODULE_3__.fileURLToPath)(import.meta.url));
    return node_path__WEBPACK_IMPORTED_MODULE_2___default().join(here, PARENT, SCENARIOS_FOLDER);
}
const PARENT = '..';
const SCENARIOS_FOLDER = 'scenarios';
async function listBundledScenarios(dir = bundledScenariosDir()) {
    try {
        const entries = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir)(dir, { withFileTypes: true });
        return entries
            .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts'))
            .map((e) => e.name.replace(/\.(ts|js)$/, ''))
            .sort();
    }
    catch {
        return [];
    }
}
/**
 * A scenario is a path to a k6 script (relative to the workspace) or the name of a bundled one.
 * `name=path` gives a path its own report name.
 */
async function resolveScenario(input, workspace, scenariosDir = bundledScenariosDir()) {
    const text = input.trim();
    const eq = text.indexOf('=');
    const [givenName, ref] = eq > 0 && !text.slice(0, eq).includes('/') ? [text.slice(0, eq), text.slice(eq + 1)] : [undefined, text];
    const looksLikePath = /[\\/]/.test(ref) || /\.(m?js|ts|cjs)$/.test(ref);
    if (looksLikePath) {
        const script = node_path__WEBPACK_IMPORTED_MODULE_2___default().resolve(workspace, ref);
        if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(script)) {
            throw new _config_js__WEBPACK_IMPORTED_MODULE_5__/* .ConfigError */ .xL(`scenario ${JSON.stringify(ref)}: no file at ${script}; expected a k6 script path relative to the workspace, or a bundled scenario name`);
        }
        return {
            name: checkScenarioName(givenName ?? node_path__WEBPACK_IMPORTED_MODULE_2___default().basename(ref).replace(/\.(m?js|ts|cjs)$/, ''), ref, givenName !== undefined),
            script,
        };
    }
    for (const ext of ['.ts', '.js']) {
        const script = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(scenariosDir, ref + ext);
        if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(script))
            return { name: checkScenarioName(givenName ?? ref, ref, givenName !== undefined), script };
    }
    const known = await listBundledScenarios(scenariosDir);
    throw new _config_js__WEBPACK_IMPORTED_MODULE_5__/* .ConfigError */ .xL(`unknown scenario ${JSON.stringify(ref)}; expected a k6 script path or one of the bundled scenarios: ${known.join(', ') || '(none found)'}`);
}
/**
 * A scenario name is the first part of its baseline key (`scenario@profile@environment`) and of its
 * file names: "@" would make it another scenario's key (`x@stress@production` writes into the
 * production history of `x`), and white space has no place in a key.
 */
function checkScenarioName(name, ref, given) {
    const problem = scenarioNameProblem(name);
    if (problem === undefined)
        return name;
    throw new _config_js__WEBPACK_IMPORTED_MODULE_5__/* .ConfigError */ .xL(`${problem}${given ? '' : ' (it comes from the file name)'}; expected a name without "@" or white space, given as name=path, e.g. checkout=${ref}`);
}
/** What is wrong with a scenario name, or undefined: `scenario name "x@y" holds "@", …`. */
function scenarioNameProblem(name) {
    if (name.includes('@'))
        return `scenario name ${JSON.stringify(name)} holds "@", which separates scenario, profile and environment in baseline keys`;
    if (/\s/.test(name))
        return `scenario name ${JSON.stringify(name)} holds a space (or other white space), which baseline keys cannot`;
    return undefined;
}
/**
 * The `scenarios` input: entries separated by commas or new lines. An entry written as a JSON string
 * (`"load,tests/a.js"`, `"ab=dir/x\ny.js"`) may hold commas and (escaped) new lines.
 */
function splitScenarioList(text) {
    const input = text ?? '';
    const out = [];
    let i = 0;
    while (i < input.length) {
        while (i < input.length && /[\s,]/.test(input[i]))
            i++;
        if (i >= input.length)
            break;
        if (input[i] === '"') {
            const end = closingQuote(input, i);
            if (end === -1)
                throw new _config_js__WEBPACK_IMPORTED_MODULE_5__/* .ConfigError */ .xL(`scenarios: unterminated " quote in ${JSON.stringify(input.slice(i, i + 60))}; expected a JSON string such as "dir/a,b.js"`);
            try {
                out.push(JSON.parse(input.slice(i, end + 1)));
            }
            catch (error) {
                throw new _config_js__WEBPACK_IMPORTED_MODULE_5__/* .ConfigError */ .xL(`scenarios: ${input.slice(i, end + 1)} is not a JSON string (${error.message}); expected e.g. "dir/a,b.js"`);
            }
            i = end + 1;
            const rest = /^[^\S\n]*(,|\n|$)/.exec(input.slice(i));
            if (!rest)
                throw new _config_js__WEBPACK_IMPORTED_MODULE_5__/* .ConfigError */ .xL(`scenarios: expected a comma or a new line after ${input.slice(0, i).split(/[\n,]/).at(-1)}`);
            continue;
        }
        let end = i;
        while (end < input.length && input[end] !== ',' && input[end] !== '\n')
            end++;
        const entry = input.slice(i, end).trim();
        if (entry)
            out.push(entry);
        i = end;
    }
    return out;
}
/** The index of the quote that closes the JSON string starting at `start`, or -1. */
function closingQuote(text, start) {
    for (let i = start + 1; i < text.length; i++) {
        if (text[i] === '\\')
            i++;
        else if (text[i] === '"')
            return i;
    }
    return -1;
}
/** The baseline key of a scenario run: see baselineKey (the environment keeps histories apart). */
function scenarioKey(scenario, profile, environment) {
    return (0,_baseline_format_js__WEBPACK_IMPORTED_MODULE_4__/* .baselineKey */ .x2)({ scenario, profile, environment });
}


/***/ }),

/***/ 8675:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ MergeError),
/* harmony export */   k: () => (/* binding */ ShardStateError)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3916);

/** A shard merge that cannot go on: missing, duplicate or malformed shard files. */
class MergeError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ExpectedError */ .Dh {
    constructor(message, options) {
        super(message, options);
        this.name = 'MergeError';
    }
}
/** A state file that cannot be used: not JSON, not this format or version, or not one set of shards. */
class ShardStateError extends MergeError {
    constructor(message, options) {
        super(message, options);
        this.name = 'ShardStateError';
    }
}


/***/ }),

/***/ 2332:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   HU: () => (/* binding */ segmentSequence),
/* harmony export */   M2: () => (/* binding */ shardArgs),
/* harmony export */   Ms: () => (/* binding */ executionSegment),
/* harmony export */   eK: () => (/* binding */ COLLECTED_DIR),
/* harmony export */   lK: () => (/* binding */ shardStateFileName),
/* harmony export */   mj: () => (/* binding */ shardRawFileName),
/* harmony export */   mk: () => (/* binding */ shardSummaryFileName),
/* harmony export */   sq: () => (/* binding */ shardLogFileName),
/* harmony export */   uK: () => (/* binding */ parseShard)
/* harmony export */ });
/* unused harmony exports ShardSpecError, MAX_SHARDS, validateShard, segmentPoint, shardSuffix, shardArtifactName */
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2973);
// Shard mode: one k6 test split across N instances with execution segments.
//
// k6 divides the workload of every scenario between instances by the segment each instance gets;
// the segments of all instances must come from one sequence so that k6 spreads VUs and iterations
// evenly and the shares add up to exactly the whole test. Shards are numbered from 1, like
// GitLab's CI_NODE_INDEX and `--shard=1/3` in other tools.

/** A bad `shard` input is a configuration error like any other bad input. */
class ShardSpecError extends _config_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigError */ .xL {
    constructor(message) {
        super(message);
        this.name = 'ShardSpecError';
    }
}
/** Above this, a shard gets so small a share that rounding in k6's segment maths dominates. */
const MAX_SHARDS = 1000;
/** `2/3` → { index: 2, count: 3 }. */
function parseShard(value) {
    const text = value.trim();
    const match = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
    if (!match) {
        throw new ShardSpecError(`shard ${JSON.stringify(value)} is not i/N; expected e.g. "1/3" (shard 1 of 3, shards counted from 1)`);
    }
    return validateShard({ index: Number(match[1]), count: Number(match[2]) }, value);
}
function validateShard(shard, shown = `${shard.index}/${shard.count}`) {
    const { index, count } = shard;
    if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) {
        throw new ShardSpecError(`shard ${JSON.stringify(shown)}: the shard count must be a whole number from 1 to ${MAX_SHARDS}`);
    }
    if (!Number.isInteger(index) || index < 1 || index > count) {
        throw new ShardSpecError(`shard ${JSON.stringify(shown)}: the index must be from 1 to ${count} (shards are counted from 1)`);
    }
    return { index, count };
}
function gcd(a, b) {
    return b === 0 ? a : gcd(b, a % b);
}
/** k6's fraction syntax: `0`, `1`, `1/3`, `2/3` (reduced, so `2/4` is written `1/2`). */
function segmentPoint(numerator, denominator) {
    if (numerator === 0)
        return '0';
    if (numerator === denominator)
        return '1';
    const d = gcd(numerator, denominator);
    return `${numerator / d}/${denominator / d}`;
}
/** The whole sequence `0,1/N,…,1` that every shard of the run must share. */
function segmentSequence(count) {
    validateShard({ index: 1, count });
    return Array.from({ length: count + 1 }, (_, i) => segmentPoint(i, count)).join(',');
}
/** `i-1/N:i/N`, in the same spelling as the sequence so k6 finds the segment in it. */
function executionSegment(shard) {
    const { index, count } = validateShard(shard);
    return `${segmentPoint(index - 1, count)}:${segmentPoint(index, count)}`;
}
/** The k6 arguments for one shard, e.g. for 2/3: `--execution-segment 1/3:2/3 --execution-segment-sequence 0,1/3,2/3,1`. */
function shardArgs(index, count) {
    const shard = validateShard({ index, count });
    return ['--execution-segment', executionSegment(shard), '--execution-segment-sequence', segmentSequence(shard.count)];
}
/** `.shard-2-of-3`: part of every file a shard writes, so files of all shards can share one folder. */
function shardSuffix(shard) {
    return `.shard-${shard.index}-of-${shard.count}`;
}
/** The raw-samples file of one shard: `k6-<scenario>.shard-<i>-of-<N>.json.gz`. */
function shardRawFileName(scenario, shard) {
    return `k6-${scenario}${shardSuffix(shard)}.json.gz`;
}
/** The summary export of one shard: `summary-<scenario>.shard-<i>-of-<N>.json`. */
function shardSummaryFileName(scenario, shard) {
    return `summary-${scenario}${shardSuffix(shard)}.json`;
}
/** The k6 log of one shard: `k6-<scenario>.shard-<i>-of-<N>.log`. */
function shardLogFileName(scenario, shard) {
    return `k6-${scenario}${shardSuffix(shard)}.log`;
}
/** The artifact name a shard job uploads. */
function shardArtifactName(scenario, shard) {
    return `k6-gate-shard-${scenario}-${shard.index}-of-${shard.count}`;
}
/** The state file of one shard (src/shard/state.ts): `state-<scenario>.shard-<i>-of-<N>.json`. */
function shardStateFileName(scenario, shard) {
    return `state-${scenario}${shardSuffix(shard)}.json`;
}
/** The folder under the results dir where `k6-gate collect` writes each runner's state for the merge. */
const COLLECTED_DIR = 'collected';


/***/ }),

/***/ 1002:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   R2: () => (/* binding */ stateHistogramOf),
/* harmony export */   gQ: () => (/* binding */ addInto),
/* harmony export */   hk: () => (/* binding */ nativeHistogramOf),
/* harmony export */   xD: () => (/* binding */ DenseBuckets),
/* harmony export */   zI: () => (/* binding */ histogramOfSum)
/* harmony export */ });
/* unused harmony exports bucketsOf, bucketMap, downscale, addHistograms */
/* harmony import */ var _merge_error_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8675);

/** Bucket index → count (ascending keys not required) → spans and counts. */
function bucketsOf(map) {
    const keys = [...map.keys()].filter((k) => map.get(k) > 0).sort((a, b) => a - b);
    const spans = [];
    const counts = [];
    let next = NaN;
    for (const key of keys) {
        if (key === next)
            spans[spans.length - 1][1]++;
        else
            spans.push([spans.length === 0 ? key : key - next, 1]);
        counts.push(map.get(key));
        next = key + 1;
    }
    return { spans, counts };
}
/** Spans and counts → bucket index → count. */
function bucketMap(buckets) {
    const out = new Map();
    let index = 0;
    let i = 0;
    for (const [n, [offset, length]] of buckets.spans.entries()) {
        index = n === 0 ? offset : index + offset;
        for (let k = 0; k < length; k++, index++, i++) {
            if (i >= buckets.counts.length)
                throw new _merge_error_js__WEBPACK_IMPORTED_MODULE_0__/* .ShardStateError */ .k('a histogram has fewer bucket counts than its spans say');
            if (buckets.counts[i] > 0)
                out.set(index, (out.get(index) ?? 0) + buckets.counts[i]);
        }
    }
    if (i !== buckets.counts.length)
        throw new _merge_error_js__WEBPACK_IMPORTED_MODULE_0__/* .ShardStateError */ .k(`a histogram has ${buckets.counts.length} bucket counts but its spans say ${i}`);
    return out;
}
/** The receiver's histogram → the state's form. */
function stateHistogramOf(h) {
    return {
        schema: h.schema,
        count: h.count,
        sum: h.sum,
        zeroThreshold: h.zeroThreshold,
        zeroCount: h.zeroCount,
        positive: bucketsOf(h.positive),
        negative: bucketsOf(h.negative),
    };
}
/** The state's histogram → the receiver's form (what nativeToDistribution reads). */
function nativeHistogramOf(h) {
    return { ...h, positive: bucketMap(h.positive), negative: bucketMap(h.negative), timestampMs: 0 };
}
/**
 * Buckets of a finer schema in a coarser one: 2^(from−to) neighbouring buckets become one, the way
 * Prometheus reduces a native histogram's resolution (bucket edges of the coarser schema are edges
 * of the finer one, so no count is split).
 */
function downscale(buckets, from, to) {
    if (to > from)
        throw new RangeError(`cannot raise a histogram's schema from ${from} to ${to}`);
    if (to === from)
        return new Map(buckets);
    const shift = from - to;
    const out = new Map();
    for (const [index, count] of buckets) {
        const target = Math.floor((index - 1) / 2 ** shift) + 1;
        out.set(target, (out.get(target) ?? 0) + count);
    }
    return out;
}
/** The sum of two native histograms, exact per bucket, at the coarser of their schemas and the wider zero bucket. */
function addHistograms(a, b) {
    const schema = Math.min(a.schema, b.schema);
    const zeroThreshold = Math.max(a.zeroThreshold, b.zeroThreshold);
    let zeroCount = a.zeroCount + b.zeroCount;
    const base = 2 ** (2 ** -schema);
    const add = (side) => {
        const out = downscale(a[side], a.schema, schema);
        for (const [index, count] of downscale(b[side], b.schema, schema))
            out.set(index, (out.get(index) ?? 0) + count);
        // Buckets that end inside a wider zero bucket belong to it.
        if (zeroThreshold > 0) {
            for (const [index, count] of out) {
                if (base ** index <= zeroThreshold) {
                    zeroCount += count;
                    out.delete(index);
                }
            }
        }
        return out;
    };
    const positive = add('positive');
    const negative = add('negative');
    return { count: a.count + b.count, sum: a.sum + b.sum, schema, zeroThreshold, zeroCount, positive, negative, timestampMs: 0 };
}
// ---------------------------------------------------------------------------------------------
// Adding many (the merge)
/**
 * Counts per bucket index in one dense array grown on either side (the indices of one series sit in
 * a narrow range: schema 3 from 1 µs to 1 h is ~400 indices); adding is an array index, not a Map.
 */
class DenseBuckets {
    counts = new Float64Array(0);
    offset = 0;
    add(index, n) {
        let i = index - this.offset;
        if (i < 0 || i >= this.counts.length) {
            const low = this.counts.length === 0 ? index - 16 : Math.min(this.offset, index - 16);
            const high = this.counts.length === 0 ? index + 16 : Math.max(this.offset + this.counts.length, index + 16);
            const grown = new Float64Array(high - low);
            if (this.counts.length > 0)
                grown.set(this.counts, this.offset - low);
            this.counts = grown;
            this.offset = low;
            i = index - low;
        }
        this.counts[i] += n;
    }
    toMap() {
        const out = new Map();
        for (let i = 0; i < this.counts.length; i++)
            if (this.counts[i] > 0)
                out.set(i + this.offset, this.counts[i]);
        return out;
    }
    static from(map) {
        const dense = new DenseBuckets();
        for (const [index, n] of map)
            dense.add(index, n);
        return dense;
    }
}
/** Adds a state histogram's buckets into `into` (at `shift` schemas coarser), straight from its spans. */
function addBuckets(into, buckets, shift) {
    let index = 0;
    let i = 0;
    const factor = 2 ** shift;
    for (let n = 0; n < buckets.spans.length; n++) {
        const [offset, length] = buckets.spans[n];
        index = n === 0 ? offset : index + offset;
        for (let k = 0; k < length; k++, index++, i++) {
            const count = buckets.counts[i];
            if (!(count > 0))
                continue;
            const target = shift === 0 ? index : Math.floor((index - 1) / factor) + 1;
            into.add(target, count);
        }
    }
}
function addInto(total, h) {
    if (h.schema < total.schema) {
        total.positive = DenseBuckets.from(downscale(total.positive.toMap(), total.schema, h.schema));
        total.negative = DenseBuckets.from(downscale(total.negative.toMap(), total.schema, h.schema));
        total.schema = h.schema;
    }
    addBuckets(total.positive, h.positive, h.schema - total.schema);
    addBuckets(total.negative, h.negative, h.schema - total.schema);
    total.count += h.count;
    total.sum += h.sum;
    total.zeroCount += h.zeroCount;
    total.zeroThreshold = Math.max(total.zeroThreshold, h.zeroThreshold);
}
/** The sum as a state histogram; buckets that end inside the (widest) zero bucket belong to it. */
function histogramOfSum(total) {
    const base = 2 ** (2 ** -total.schema);
    let zeroCount = total.zeroCount;
    const sides = [total.positive.toMap(), total.negative.toMap()];
    for (const side of total.zeroThreshold > 0 ? sides : []) {
        for (const [index, count] of side) {
            if (base ** index <= total.zeroThreshold) {
                zeroCount += count;
                side.delete(index);
            }
        }
    }
    const { schema, count, sum, zeroThreshold } = total;
    return { schema, count, sum, zeroThreshold, zeroCount, positive: bucketsOf(sides[0]), negative: bucketsOf(sides[1]) };
}


/***/ }),

/***/ 2650:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  H$: () => (/* binding */ SHARD_STATE_FORMAT),
  Kn: () => (/* binding */ SHARD_STATE_VERSION),
  FQ: () => (/* binding */ parseShardState),
  WH: () => (/* binding */ seriesKeyOf),
  F8: () => (/* binding */ shardStateOf),
  Xy: () => (/* binding */ shardStateText)
});

// EXTERNAL MODULE: ./src/samples/aggregator.ts + 1 modules
var aggregator = __nccwpck_require__(3244);
// EXTERNAL MODULE: ./src/samples/remote-write.ts
var remote_write = __nccwpck_require__(3715);
;// CONCATENATED MODULE: ./src/shard/generated/shard-state-validator.js
// Generated by scripts/shard-state-validator.mjs from schemas/shard-state.schema.json; do not edit.
const validate = validate10;/* harmony default export */ const shard_state_validator = ((/* unused pure expression or super */ null && (validate10)));const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","title":"k6-gate shard state","description":"What one k6 instance measured, kept per series (counters, rates, gauges, native-histogram buckets) so that the states of all shards add up exactly to the whole test.","type":"object","required":["format","version","scenario","segment","sequence","span","series","metrics","checks","thresholds"],"additionalProperties":false,"properties":{"format":{"const":"k6-gate-shard-state"},"version":{"const":1},"scenario":{"type":"string"},"k6Version":{"type":"string"},"shard":{"type":"object","required":["index","count"],"additionalProperties":false,"properties":{"index":{"type":"integer","minimum":1},"count":{"type":"integer","minimum":1}}},"segment":{"type":"string","pattern":"^[0-9/.]+:[0-9/.]+$","x-expected":"k6's execution segment, e.g. \"1/3:2/3\""},"sequence":{"type":"string","x-expected":"k6's execution segment sequence, e.g. \"0,1/3,2/3,1\" (empty when none)"},"instance":{"type":"string"},"span":{"type":"object","required":["startMs","endMs"],"additionalProperties":false,"properties":{"startMs":{"type":"number"},"endMs":{"type":"number"},"durationMs":{"type":"number","minimum":0}}},"series":{"type":"array","items":{"$ref":"#/definitions/series"}},"metrics":{"type":"object","additionalProperties":{"$ref":"#/definitions/metric"}},"checks":{"type":"array","items":{"$ref":"#/definitions/check"}},"thresholds":{"type":"object","additionalProperties":{"type":"array","items":{"type":"string"}}}},"definitions":{"type":{"enum":["counter","gauge","rate","trend"]},"contains":{"enum":["time","data","default"]},"tags":{"type":"object","additionalProperties":{"type":"string"}},"series":{"type":"object","required":["metric","type","contains","tags"],"additionalProperties":false,"properties":{"metric":{"type":"string","minLength":1},"type":{"$ref":"#/definitions/type"},"contains":{"$ref":"#/definitions/contains"},"tags":{"$ref":"#/definitions/tags"},"value":{"type":"number"},"passes":{"type":"number","minimum":0},"fails":{"type":"number","minimum":0},"scale":{"type":"number","exclusiveMinimum":0},"histogram":{"$ref":"#/definitions/histogram"}}},"spans":{"type":"array","items":{"type":"array","items":[{"type":"integer"},{"type":"integer","minimum":0}],"minItems":2,"maxItems":2}},"histogram":{"type":"object","required":["schema","count","sum","zeroThreshold","zeroCount","positive","negative"],"additionalProperties":false,"properties":{"schema":{"type":"integer","minimum":-4,"maximum":8},"count":{"type":"number","minimum":0},"sum":{"type":"number"},"zeroThreshold":{"type":"number","minimum":0},"zeroCount":{"type":"number","minimum":0},"positive":{"$ref":"#/definitions/buckets"},"negative":{"$ref":"#/definitions/buckets"}}},"buckets":{"type":"object","required":["spans","counts"],"additionalProperties":false,"properties":{"spans":{"$ref":"#/definitions/spans"},"counts":{"type":"array","items":{"type":"number","minimum":0}}}},"metric":{"type":"object","required":["type","contains","values"],"additionalProperties":false,"properties":{"type":{"$ref":"#/definitions/type"},"contains":{"$ref":"#/definitions/contains"},"values":{"type":"object","additionalProperties":{"type":"number"}}}},"check":{"type":"object","required":["name","passes","fails"],"additionalProperties":false,"properties":{"name":{"type":"string"},"path":{"type":"string"},"passes":{"type":"number","minimum":0},"fails":{"type":"number","minimum":0}}}}};const schema22 = {"type":"object","required":["name","passes","fails"],"additionalProperties":false,"properties":{"name":{"type":"string"},"path":{"type":"string"},"passes":{"type":"number","minimum":0},"fails":{"type":"number","minimum":0}}};const func2 = Object.prototype.hasOwnProperty;const pattern0 = new RegExp("^[0-9/.]+:[0-9/.]+$", "u");const schema12 = {"type":"object","required":["metric","type","contains","tags"],"additionalProperties":false,"properties":{"metric":{"type":"string","minLength":1},"type":{"$ref":"#/definitions/type"},"contains":{"$ref":"#/definitions/contains"},"tags":{"$ref":"#/definitions/tags"},"value":{"type":"number"},"passes":{"type":"number","minimum":0},"fails":{"type":"number","minimum":0},"scale":{"type":"number","exclusiveMinimum":0},"histogram":{"$ref":"#/definitions/histogram"}}};const schema13 = {"enum":["counter","gauge","rate","trend"]};const schema14 = {"enum":["time","data","default"]};const schema15 = {"type":"object","additionalProperties":{"type":"string"}};const schema16 = {"type":"object","required":["schema","count","sum","zeroThreshold","zeroCount","positive","negative"],"additionalProperties":false,"properties":{"schema":{"type":"integer","minimum":-4,"maximum":8},"count":{"type":"number","minimum":0},"sum":{"type":"number"},"zeroThreshold":{"type":"number","minimum":0},"zeroCount":{"type":"number","minimum":0},"positive":{"$ref":"#/definitions/buckets"},"negative":{"$ref":"#/definitions/buckets"}}};const schema17 = {"type":"object","required":["spans","counts"],"additionalProperties":false,"properties":{"spans":{"$ref":"#/definitions/spans"},"counts":{"type":"array","items":{"type":"number","minimum":0}}}};const schema18 = {"type":"array","items":{"type":"array","items":[{"type":"integer"},{"type":"integer","minimum":0}],"minItems":2,"maxItems":2}};function validate13(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;const _errs0 = errors;if(data && typeof data == "object" && !Array.isArray(data)){if(data.spans === undefined){const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "spans"},message:"must have required property '"+"spans"+"'"};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}if(data.counts === undefined){const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "counts"},message:"must have required property '"+"counts"+"'"};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}const _errs1 = errors;for(const key0 in data){if(!((key0 === "spans") || (key0 === "counts"))){const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}}if(data.spans !== undefined){let data0 = data.spans;const _errs2 = errors;const _errs3 = errors;const _errs4 = errors;if(Array.isArray(data0)){let valid3 = true;const len0 = data0.length;for(let i0=0; i0<len0; i0++){let data1 = data0[i0];const _errs5 = errors;const _errs6 = errors;if(Array.isArray(data1)){if(data1.length > 2){const err3 = {instancePath:instancePath+"/spans/" + i0,schemaPath:"#/definitions/spans/items/maxItems",keyword:"maxItems",params:{limit: 2},message:"must NOT have more than 2 items"};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}if(data1.length < 2){const err4 = {instancePath:instancePath+"/spans/" + i0,schemaPath:"#/definitions/spans/items/minItems",keyword:"minItems",params:{limit: 2},message:"must NOT have fewer than 2 items"};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}const len1 = data1.length;if(len1 > 0){let data2 = data1[0];const _errs7 = errors;if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){const err5 = {instancePath:instancePath+"/spans/" + i0+"/0",schemaPath:"#/definitions/spans/items/items/0/type",keyword:"type",params:{type: "integer"},message:"must be integer"};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}const _errs8 = errors;var valid4 = _errs7 === errors;}if(len1 > 1){let data3 = data1[1];const _errs9 = errors;if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){const err6 = {instancePath:instancePath+"/spans/" + i0+"/1",schemaPath:"#/definitions/spans/items/items/1/type",keyword:"type",params:{type: "integer"},message:"must be integer"};if(vErrors === null){vErrors = [err6];}else {vErrors.push(err6);}errors++;}const _errs10 = errors;if((typeof data3 == "number") && (isFinite(data3))){if(data3 < 0 || isNaN(data3)){const err7 = {instancePath:instancePath+"/spans/" + i0+"/1",schemaPath:"#/definitions/spans/items/items/1/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err7];}else {vErrors.push(err7);}errors++;}}var valid4 = _errs9 === errors;}}else {const err8 = {instancePath:instancePath+"/spans/" + i0,schemaPath:"#/definitions/spans/items/type",keyword:"type",params:{type: "array"},message:"must be array"};if(vErrors === null){vErrors = [err8];}else {vErrors.push(err8);}errors++;}var valid2 = _errs5 === errors;if(!valid2){valid3 = false;}}}else {const err9 = {instancePath:instancePath+"/spans",schemaPath:"#/definitions/spans/type",keyword:"type",params:{type: "array"},message:"must be array"};if(vErrors === null){vErrors = [err9];}else {vErrors.push(err9);}errors++;}var valid1 = _errs3 === errors;var valid0 = _errs2 === errors;}if(data.counts !== undefined){let data4 = data.counts;const _errs11 = errors;const _errs12 = errors;if(Array.isArray(data4)){let valid6 = true;const len2 = data4.length;for(let i1=0; i1<len2; i1++){let data5 = data4[i1];const _errs13 = errors;const _errs14 = errors;if((typeof data5 == "number") && (isFinite(data5))){if(data5 < 0 || isNaN(data5)){const err10 = {instancePath:instancePath+"/counts/" + i1,schemaPath:"#/properties/counts/items/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err10];}else {vErrors.push(err10);}errors++;}}else {const err11 = {instancePath:instancePath+"/counts/" + i1,schemaPath:"#/properties/counts/items/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err11];}else {vErrors.push(err11);}errors++;}var valid5 = _errs13 === errors;if(!valid5){valid6 = false;}}}else {const err12 = {instancePath:instancePath+"/counts",schemaPath:"#/properties/counts/type",keyword:"type",params:{type: "array"},message:"must be array"};if(vErrors === null){vErrors = [err12];}else {vErrors.push(err12);}errors++;}var valid0 = _errs11 === errors;}}else {const err13 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err13];}else {vErrors.push(err13);}errors++;}validate13.errors = vErrors;return errors === 0;}function validate12(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;const _errs0 = errors;if(data && typeof data == "object" && !Array.isArray(data)){if(data.schema === undefined){const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "schema"},message:"must have required property '"+"schema"+"'"};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}if(data.count === undefined){const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "count"},message:"must have required property '"+"count"+"'"};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}if(data.sum === undefined){const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "sum"},message:"must have required property '"+"sum"+"'"};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}if(data.zeroThreshold === undefined){const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "zeroThreshold"},message:"must have required property '"+"zeroThreshold"+"'"};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}if(data.zeroCount === undefined){const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "zeroCount"},message:"must have required property '"+"zeroCount"+"'"};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}if(data.positive === undefined){const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "positive"},message:"must have required property '"+"positive"+"'"};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}if(data.negative === undefined){const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "negative"},message:"must have required property '"+"negative"+"'"};if(vErrors === null){vErrors = [err6];}else {vErrors.push(err6);}errors++;}const _errs1 = errors;for(const key0 in data){if(!(((((((key0 === "schema") || (key0 === "count")) || (key0 === "sum")) || (key0 === "zeroThreshold")) || (key0 === "zeroCount")) || (key0 === "positive")) || (key0 === "negative"))){const err7 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};if(vErrors === null){vErrors = [err7];}else {vErrors.push(err7);}errors++;}}if(data.schema !== undefined){let data0 = data.schema;const _errs2 = errors;if(!(((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0))) && (isFinite(data0)))){const err8 = {instancePath:instancePath+"/schema",schemaPath:"#/properties/schema/type",keyword:"type",params:{type: "integer"},message:"must be integer"};if(vErrors === null){vErrors = [err8];}else {vErrors.push(err8);}errors++;}const _errs3 = errors;if((typeof data0 == "number") && (isFinite(data0))){if(data0 > 8 || isNaN(data0)){const err9 = {instancePath:instancePath+"/schema",schemaPath:"#/properties/schema/maximum",keyword:"maximum",params:{comparison: "<=", limit: 8},message:"must be <= 8"};if(vErrors === null){vErrors = [err9];}else {vErrors.push(err9);}errors++;}if(data0 < -4 || isNaN(data0)){const err10 = {instancePath:instancePath+"/schema",schemaPath:"#/properties/schema/minimum",keyword:"minimum",params:{comparison: ">=", limit: -4},message:"must be >= -4"};if(vErrors === null){vErrors = [err10];}else {vErrors.push(err10);}errors++;}}var valid0 = _errs2 === errors;}if(data.count !== undefined){let data1 = data.count;const _errs4 = errors;const _errs5 = errors;if((typeof data1 == "number") && (isFinite(data1))){if(data1 < 0 || isNaN(data1)){const err11 = {instancePath:instancePath+"/count",schemaPath:"#/properties/count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err11];}else {vErrors.push(err11);}errors++;}}else {const err12 = {instancePath:instancePath+"/count",schemaPath:"#/properties/count/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err12];}else {vErrors.push(err12);}errors++;}var valid0 = _errs4 === errors;}if(data.sum !== undefined){let data2 = data.sum;const _errs6 = errors;if(!((typeof data2 == "number") && (isFinite(data2)))){const err13 = {instancePath:instancePath+"/sum",schemaPath:"#/properties/sum/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err13];}else {vErrors.push(err13);}errors++;}const _errs7 = errors;var valid0 = _errs6 === errors;}if(data.zeroThreshold !== undefined){let data3 = data.zeroThreshold;const _errs8 = errors;const _errs9 = errors;if((typeof data3 == "number") && (isFinite(data3))){if(data3 < 0 || isNaN(data3)){const err14 = {instancePath:instancePath+"/zeroThreshold",schemaPath:"#/properties/zeroThreshold/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err14];}else {vErrors.push(err14);}errors++;}}else {const err15 = {instancePath:instancePath+"/zeroThreshold",schemaPath:"#/properties/zeroThreshold/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err15];}else {vErrors.push(err15);}errors++;}var valid0 = _errs8 === errors;}if(data.zeroCount !== undefined){let data4 = data.zeroCount;const _errs10 = errors;const _errs11 = errors;if((typeof data4 == "number") && (isFinite(data4))){if(data4 < 0 || isNaN(data4)){const err16 = {instancePath:instancePath+"/zeroCount",schemaPath:"#/properties/zeroCount/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err16];}else {vErrors.push(err16);}errors++;}}else {const err17 = {instancePath:instancePath+"/zeroCount",schemaPath:"#/properties/zeroCount/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err17];}else {vErrors.push(err17);}errors++;}var valid0 = _errs10 === errors;}if(data.positive !== undefined){let data5 = data.positive;const _errs12 = errors;if(!(validate13(data5, {instancePath:instancePath+"/positive",parentData:data,parentDataProperty:"positive",rootData}))){vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);errors = vErrors.length;}else {}var valid0 = _errs12 === errors;}if(data.negative !== undefined){let data6 = data.negative;const _errs13 = errors;if(!(validate13(data6, {instancePath:instancePath+"/negative",parentData:data,parentDataProperty:"negative",rootData}))){vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);errors = vErrors.length;}else {}var valid0 = _errs13 === errors;}}else {const err18 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err18];}else {vErrors.push(err18);}errors++;}validate12.errors = vErrors;return errors === 0;}function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;const _errs0 = errors;if(data && typeof data == "object" && !Array.isArray(data)){if(data.metric === undefined){const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "metric"},message:"must have required property '"+"metric"+"'"};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}if(data.type === undefined){const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "type"},message:"must have required property '"+"type"+"'"};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}if(data.contains === undefined){const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "contains"},message:"must have required property '"+"contains"+"'"};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}if(data.tags === undefined){const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "tags"},message:"must have required property '"+"tags"+"'"};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}const _errs1 = errors;for(const key0 in data){if(!(func2.call(schema12.properties, key0))){const err4 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}}if(data.metric !== undefined){let data0 = data.metric;const _errs2 = errors;const _errs3 = errors;if(typeof data0 === "string"){if(data0.length < 1){const err5 = {instancePath:instancePath+"/metric",schemaPath:"#/properties/metric/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}}else {const err6 = {instancePath:instancePath+"/metric",schemaPath:"#/properties/metric/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err6];}else {vErrors.push(err6);}errors++;}var valid0 = _errs2 === errors;}if(data.type !== undefined){let data1 = data.type;const _errs4 = errors;const _errs5 = errors;const vSchema0 = schema13.enum;if(!((((data1 === "counter") || (data1 === "gauge")) || (data1 === "rate")) || (data1 === "trend"))){const err7 = {instancePath:instancePath+"/type",schemaPath:"#/definitions/type/enum",keyword:"enum",params:{allowedValues: schema13.enum},message:"must be equal to one of the allowed values"};if(vErrors === null){vErrors = [err7];}else {vErrors.push(err7);}errors++;}var valid1 = _errs5 === errors;var valid0 = _errs4 === errors;}if(data.contains !== undefined){let data2 = data.contains;const _errs6 = errors;const _errs7 = errors;const vSchema1 = schema14.enum;if(!(((data2 === "time") || (data2 === "data")) || (data2 === "default"))){const err8 = {instancePath:instancePath+"/contains",schemaPath:"#/definitions/contains/enum",keyword:"enum",params:{allowedValues: schema14.enum},message:"must be equal to one of the allowed values"};if(vErrors === null){vErrors = [err8];}else {vErrors.push(err8);}errors++;}var valid2 = _errs7 === errors;var valid0 = _errs6 === errors;}if(data.tags !== undefined){let data3 = data.tags;const _errs8 = errors;const _errs9 = errors;const _errs10 = errors;if(data3 && typeof data3 == "object" && !Array.isArray(data3)){const _errs11 = errors;for(const key1 in data3){let data4 = data3[key1];const _errs12 = errors;if(typeof data4 !== "string"){const err9 = {instancePath:instancePath+"/tags/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/tags/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err9];}else {vErrors.push(err9);}errors++;}const _errs13 = errors;var valid4 = _errs12 === errors;}}else {const err10 = {instancePath:instancePath+"/tags",schemaPath:"#/definitions/tags/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err10];}else {vErrors.push(err10);}errors++;}var valid3 = _errs9 === errors;var valid0 = _errs8 === errors;}if(data.value !== undefined){let data5 = data.value;const _errs14 = errors;if(!((typeof data5 == "number") && (isFinite(data5)))){const err11 = {instancePath:instancePath+"/value",schemaPath:"#/properties/value/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err11];}else {vErrors.push(err11);}errors++;}const _errs15 = errors;var valid0 = _errs14 === errors;}if(data.passes !== undefined){let data6 = data.passes;const _errs16 = errors;const _errs17 = errors;if((typeof data6 == "number") && (isFinite(data6))){if(data6 < 0 || isNaN(data6)){const err12 = {instancePath:instancePath+"/passes",schemaPath:"#/properties/passes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err12];}else {vErrors.push(err12);}errors++;}}else {const err13 = {instancePath:instancePath+"/passes",schemaPath:"#/properties/passes/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err13];}else {vErrors.push(err13);}errors++;}var valid0 = _errs16 === errors;}if(data.fails !== undefined){let data7 = data.fails;const _errs18 = errors;const _errs19 = errors;if((typeof data7 == "number") && (isFinite(data7))){if(data7 < 0 || isNaN(data7)){const err14 = {instancePath:instancePath+"/fails",schemaPath:"#/properties/fails/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err14];}else {vErrors.push(err14);}errors++;}}else {const err15 = {instancePath:instancePath+"/fails",schemaPath:"#/properties/fails/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err15];}else {vErrors.push(err15);}errors++;}var valid0 = _errs18 === errors;}if(data.scale !== undefined){let data8 = data.scale;const _errs20 = errors;const _errs21 = errors;if((typeof data8 == "number") && (isFinite(data8))){if(data8 <= 0 || isNaN(data8)){const err16 = {instancePath:instancePath+"/scale",schemaPath:"#/properties/scale/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0"};if(vErrors === null){vErrors = [err16];}else {vErrors.push(err16);}errors++;}}else {const err17 = {instancePath:instancePath+"/scale",schemaPath:"#/properties/scale/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err17];}else {vErrors.push(err17);}errors++;}var valid0 = _errs20 === errors;}if(data.histogram !== undefined){let data9 = data.histogram;const _errs22 = errors;if(!(validate12(data9, {instancePath:instancePath+"/histogram",parentData:data,parentDataProperty:"histogram",rootData}))){vErrors = vErrors === null ? validate12.errors : vErrors.concat(validate12.errors);errors = vErrors.length;}else {}var valid0 = _errs22 === errors;}}else {const err18 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err18];}else {vErrors.push(err18);}errors++;}validate11.errors = vErrors;return errors === 0;}const schema19 = {"type":"object","required":["type","contains","values"],"additionalProperties":false,"properties":{"type":{"$ref":"#/definitions/type"},"contains":{"$ref":"#/definitions/contains"},"values":{"type":"object","additionalProperties":{"type":"number"}}}};function validate18(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;const _errs0 = errors;if(data && typeof data == "object" && !Array.isArray(data)){if(data.type === undefined){const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "type"},message:"must have required property '"+"type"+"'"};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}if(data.contains === undefined){const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "contains"},message:"must have required property '"+"contains"+"'"};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}if(data.values === undefined){const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "values"},message:"must have required property '"+"values"+"'"};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}const _errs1 = errors;for(const key0 in data){if(!(((key0 === "type") || (key0 === "contains")) || (key0 === "values"))){const err3 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}}if(data.type !== undefined){let data0 = data.type;const _errs2 = errors;const _errs3 = errors;const vSchema0 = schema13.enum;if(!((((data0 === "counter") || (data0 === "gauge")) || (data0 === "rate")) || (data0 === "trend"))){const err4 = {instancePath:instancePath+"/type",schemaPath:"#/definitions/type/enum",keyword:"enum",params:{allowedValues: schema13.enum},message:"must be equal to one of the allowed values"};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}var valid1 = _errs3 === errors;var valid0 = _errs2 === errors;}if(data.contains !== undefined){let data1 = data.contains;const _errs4 = errors;const _errs5 = errors;const vSchema1 = schema14.enum;if(!(((data1 === "time") || (data1 === "data")) || (data1 === "default"))){const err5 = {instancePath:instancePath+"/contains",schemaPath:"#/definitions/contains/enum",keyword:"enum",params:{allowedValues: schema14.enum},message:"must be equal to one of the allowed values"};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}var valid2 = _errs5 === errors;var valid0 = _errs4 === errors;}if(data.values !== undefined){let data2 = data.values;const _errs6 = errors;const _errs7 = errors;if(data2 && typeof data2 == "object" && !Array.isArray(data2)){const _errs8 = errors;for(const key1 in data2){let data3 = data2[key1];const _errs9 = errors;if(!((typeof data3 == "number") && (isFinite(data3)))){const err6 = {instancePath:instancePath+"/values/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/values/additionalProperties/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err6];}else {vErrors.push(err6);}errors++;}const _errs10 = errors;var valid3 = _errs9 === errors;}}else {const err7 = {instancePath:instancePath+"/values",schemaPath:"#/properties/values/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err7];}else {vErrors.push(err7);}errors++;}var valid0 = _errs6 === errors;}}else {const err8 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err8];}else {vErrors.push(err8);}errors++;}validate18.errors = vErrors;return errors === 0;}function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;const _errs0 = errors;if(data && typeof data == "object" && !Array.isArray(data)){if(data.format === undefined){const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "format"},message:"must have required property '"+"format"+"'"};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}if(data.version === undefined){const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "version"},message:"must have required property '"+"version"+"'"};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}if(data.scenario === undefined){const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "scenario"},message:"must have required property '"+"scenario"+"'"};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}if(data.segment === undefined){const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "segment"},message:"must have required property '"+"segment"+"'"};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}if(data.sequence === undefined){const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "sequence"},message:"must have required property '"+"sequence"+"'"};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}if(data.span === undefined){const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "span"},message:"must have required property '"+"span"+"'"};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}if(data.series === undefined){const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "series"},message:"must have required property '"+"series"+"'"};if(vErrors === null){vErrors = [err6];}else {vErrors.push(err6);}errors++;}if(data.metrics === undefined){const err7 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "metrics"},message:"must have required property '"+"metrics"+"'"};if(vErrors === null){vErrors = [err7];}else {vErrors.push(err7);}errors++;}if(data.checks === undefined){const err8 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "checks"},message:"must have required property '"+"checks"+"'"};if(vErrors === null){vErrors = [err8];}else {vErrors.push(err8);}errors++;}if(data.thresholds === undefined){const err9 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "thresholds"},message:"must have required property '"+"thresholds"+"'"};if(vErrors === null){vErrors = [err9];}else {vErrors.push(err9);}errors++;}const _errs1 = errors;for(const key0 in data){if(!(func2.call(schema11.properties, key0))){const err10 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};if(vErrors === null){vErrors = [err10];}else {vErrors.push(err10);}errors++;}}if(data.format !== undefined){let data0 = data.format;const _errs2 = errors;if("k6-gate-shard-state" !== data0){const err11 = {instancePath:instancePath+"/format",schemaPath:"#/properties/format/const",keyword:"const",params:{allowedValue: "k6-gate-shard-state"},message:"must be equal to constant"};if(vErrors === null){vErrors = [err11];}else {vErrors.push(err11);}errors++;}var valid0 = _errs2 === errors;}if(data.version !== undefined){let data1 = data.version;const _errs3 = errors;if(1 !== data1){const err12 = {instancePath:instancePath+"/version",schemaPath:"#/properties/version/const",keyword:"const",params:{allowedValue: 1},message:"must be equal to constant"};if(vErrors === null){vErrors = [err12];}else {vErrors.push(err12);}errors++;}var valid0 = _errs3 === errors;}if(data.scenario !== undefined){let data2 = data.scenario;const _errs4 = errors;if(typeof data2 !== "string"){const err13 = {instancePath:instancePath+"/scenario",schemaPath:"#/properties/scenario/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err13];}else {vErrors.push(err13);}errors++;}const _errs5 = errors;var valid0 = _errs4 === errors;}if(data.k6Version !== undefined){let data3 = data.k6Version;const _errs6 = errors;if(typeof data3 !== "string"){const err14 = {instancePath:instancePath+"/k6Version",schemaPath:"#/properties/k6Version/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err14];}else {vErrors.push(err14);}errors++;}const _errs7 = errors;var valid0 = _errs6 === errors;}if(data.shard !== undefined){let data4 = data.shard;const _errs8 = errors;const _errs9 = errors;if(data4 && typeof data4 == "object" && !Array.isArray(data4)){if(data4.index === undefined){const err15 = {instancePath:instancePath+"/shard",schemaPath:"#/properties/shard/required",keyword:"required",params:{missingProperty: "index"},message:"must have required property '"+"index"+"'"};if(vErrors === null){vErrors = [err15];}else {vErrors.push(err15);}errors++;}if(data4.count === undefined){const err16 = {instancePath:instancePath+"/shard",schemaPath:"#/properties/shard/required",keyword:"required",params:{missingProperty: "count"},message:"must have required property '"+"count"+"'"};if(vErrors === null){vErrors = [err16];}else {vErrors.push(err16);}errors++;}const _errs10 = errors;for(const key1 in data4){if(!((key1 === "index") || (key1 === "count"))){const err17 = {instancePath:instancePath+"/shard",schemaPath:"#/properties/shard/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};if(vErrors === null){vErrors = [err17];}else {vErrors.push(err17);}errors++;}}if(data4.index !== undefined){let data5 = data4.index;const _errs11 = errors;if(!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))){const err18 = {instancePath:instancePath+"/shard/index",schemaPath:"#/properties/shard/properties/index/type",keyword:"type",params:{type: "integer"},message:"must be integer"};if(vErrors === null){vErrors = [err18];}else {vErrors.push(err18);}errors++;}const _errs12 = errors;if((typeof data5 == "number") && (isFinite(data5))){if(data5 < 1 || isNaN(data5)){const err19 = {instancePath:instancePath+"/shard/index",schemaPath:"#/properties/shard/properties/index/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};if(vErrors === null){vErrors = [err19];}else {vErrors.push(err19);}errors++;}}var valid1 = _errs11 === errors;}if(data4.count !== undefined){let data6 = data4.count;const _errs13 = errors;if(!(((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6))) && (isFinite(data6)))){const err20 = {instancePath:instancePath+"/shard/count",schemaPath:"#/properties/shard/properties/count/type",keyword:"type",params:{type: "integer"},message:"must be integer"};if(vErrors === null){vErrors = [err20];}else {vErrors.push(err20);}errors++;}const _errs14 = errors;if((typeof data6 == "number") && (isFinite(data6))){if(data6 < 1 || isNaN(data6)){const err21 = {instancePath:instancePath+"/shard/count",schemaPath:"#/properties/shard/properties/count/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};if(vErrors === null){vErrors = [err21];}else {vErrors.push(err21);}errors++;}}var valid1 = _errs13 === errors;}}else {const err22 = {instancePath:instancePath+"/shard",schemaPath:"#/properties/shard/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err22];}else {vErrors.push(err22);}errors++;}var valid0 = _errs8 === errors;}if(data.segment !== undefined){let data7 = data.segment;const _errs15 = errors;const _errs16 = errors;if(typeof data7 === "string"){if(!pattern0.test(data7)){const err23 = {instancePath:instancePath+"/segment",schemaPath:"#/properties/segment/pattern",keyword:"pattern",params:{pattern: "^[0-9/.]+:[0-9/.]+$"},message:"must match pattern \""+"^[0-9/.]+:[0-9/.]+$"+"\""};if(vErrors === null){vErrors = [err23];}else {vErrors.push(err23);}errors++;}}else {const err24 = {instancePath:instancePath+"/segment",schemaPath:"#/properties/segment/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err24];}else {vErrors.push(err24);}errors++;}var valid0 = _errs15 === errors;}if(data.sequence !== undefined){let data8 = data.sequence;const _errs17 = errors;if(typeof data8 !== "string"){const err25 = {instancePath:instancePath+"/sequence",schemaPath:"#/properties/sequence/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err25];}else {vErrors.push(err25);}errors++;}const _errs18 = errors;var valid0 = _errs17 === errors;}if(data.instance !== undefined){let data9 = data.instance;const _errs19 = errors;if(typeof data9 !== "string"){const err26 = {instancePath:instancePath+"/instance",schemaPath:"#/properties/instance/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err26];}else {vErrors.push(err26);}errors++;}const _errs20 = errors;var valid0 = _errs19 === errors;}if(data.span !== undefined){let data10 = data.span;const _errs21 = errors;const _errs22 = errors;if(data10 && typeof data10 == "object" && !Array.isArray(data10)){if(data10.startMs === undefined){const err27 = {instancePath:instancePath+"/span",schemaPath:"#/properties/span/required",keyword:"required",params:{missingProperty: "startMs"},message:"must have required property '"+"startMs"+"'"};if(vErrors === null){vErrors = [err27];}else {vErrors.push(err27);}errors++;}if(data10.endMs === undefined){const err28 = {instancePath:instancePath+"/span",schemaPath:"#/properties/span/required",keyword:"required",params:{missingProperty: "endMs"},message:"must have required property '"+"endMs"+"'"};if(vErrors === null){vErrors = [err28];}else {vErrors.push(err28);}errors++;}const _errs23 = errors;for(const key2 in data10){if(!(((key2 === "startMs") || (key2 === "endMs")) || (key2 === "durationMs"))){const err29 = {instancePath:instancePath+"/span",schemaPath:"#/properties/span/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties"};if(vErrors === null){vErrors = [err29];}else {vErrors.push(err29);}errors++;}}if(data10.startMs !== undefined){let data11 = data10.startMs;const _errs24 = errors;if(!((typeof data11 == "number") && (isFinite(data11)))){const err30 = {instancePath:instancePath+"/span/startMs",schemaPath:"#/properties/span/properties/startMs/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err30];}else {vErrors.push(err30);}errors++;}const _errs25 = errors;var valid2 = _errs24 === errors;}if(data10.endMs !== undefined){let data12 = data10.endMs;const _errs26 = errors;if(!((typeof data12 == "number") && (isFinite(data12)))){const err31 = {instancePath:instancePath+"/span/endMs",schemaPath:"#/properties/span/properties/endMs/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err31];}else {vErrors.push(err31);}errors++;}const _errs27 = errors;var valid2 = _errs26 === errors;}if(data10.durationMs !== undefined){let data13 = data10.durationMs;const _errs28 = errors;const _errs29 = errors;if((typeof data13 == "number") && (isFinite(data13))){if(data13 < 0 || isNaN(data13)){const err32 = {instancePath:instancePath+"/span/durationMs",schemaPath:"#/properties/span/properties/durationMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err32];}else {vErrors.push(err32);}errors++;}}else {const err33 = {instancePath:instancePath+"/span/durationMs",schemaPath:"#/properties/span/properties/durationMs/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err33];}else {vErrors.push(err33);}errors++;}var valid2 = _errs28 === errors;}}else {const err34 = {instancePath:instancePath+"/span",schemaPath:"#/properties/span/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err34];}else {vErrors.push(err34);}errors++;}var valid0 = _errs21 === errors;}if(data.series !== undefined){let data14 = data.series;const _errs30 = errors;const _errs31 = errors;if(Array.isArray(data14)){let valid4 = true;const len0 = data14.length;for(let i0=0; i0<len0; i0++){let data15 = data14[i0];const _errs32 = errors;if(!(validate11(data15, {instancePath:instancePath+"/series/" + i0,parentData:data14,parentDataProperty:i0,rootData}))){vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);errors = vErrors.length;}else {}var valid3 = _errs32 === errors;if(!valid3){valid4 = false;}}}else {const err35 = {instancePath:instancePath+"/series",schemaPath:"#/properties/series/type",keyword:"type",params:{type: "array"},message:"must be array"};if(vErrors === null){vErrors = [err35];}else {vErrors.push(err35);}errors++;}var valid0 = _errs30 === errors;}if(data.metrics !== undefined){let data16 = data.metrics;const _errs33 = errors;const _errs34 = errors;if(data16 && typeof data16 == "object" && !Array.isArray(data16)){const _errs35 = errors;for(const key3 in data16){let data17 = data16[key3];const _errs36 = errors;if(!(validate18(data17, {instancePath:instancePath+"/metrics/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"),parentData:data16,parentDataProperty:key3,rootData}))){vErrors = vErrors === null ? validate18.errors : vErrors.concat(validate18.errors);errors = vErrors.length;}else {}var valid5 = _errs36 === errors;}}else {const err36 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err36];}else {vErrors.push(err36);}errors++;}var valid0 = _errs33 === errors;}if(data.checks !== undefined){let data18 = data.checks;const _errs37 = errors;const _errs38 = errors;if(Array.isArray(data18)){let valid7 = true;const len1 = data18.length;for(let i1=0; i1<len1; i1++){let data19 = data18[i1];const _errs39 = errors;const _errs40 = errors;const _errs41 = errors;if(data19 && typeof data19 == "object" && !Array.isArray(data19)){if(data19.name === undefined){const err37 = {instancePath:instancePath+"/checks/" + i1,schemaPath:"#/definitions/check/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'"};if(vErrors === null){vErrors = [err37];}else {vErrors.push(err37);}errors++;}if(data19.passes === undefined){const err38 = {instancePath:instancePath+"/checks/" + i1,schemaPath:"#/definitions/check/required",keyword:"required",params:{missingProperty: "passes"},message:"must have required property '"+"passes"+"'"};if(vErrors === null){vErrors = [err38];}else {vErrors.push(err38);}errors++;}if(data19.fails === undefined){const err39 = {instancePath:instancePath+"/checks/" + i1,schemaPath:"#/definitions/check/required",keyword:"required",params:{missingProperty: "fails"},message:"must have required property '"+"fails"+"'"};if(vErrors === null){vErrors = [err39];}else {vErrors.push(err39);}errors++;}const _errs42 = errors;for(const key4 in data19){if(!((((key4 === "name") || (key4 === "path")) || (key4 === "passes")) || (key4 === "fails"))){const err40 = {instancePath:instancePath+"/checks/" + i1,schemaPath:"#/definitions/check/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties"};if(vErrors === null){vErrors = [err40];}else {vErrors.push(err40);}errors++;}}if(data19.name !== undefined){let data20 = data19.name;const _errs43 = errors;if(typeof data20 !== "string"){const err41 = {instancePath:instancePath+"/checks/" + i1+"/name",schemaPath:"#/definitions/check/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err41];}else {vErrors.push(err41);}errors++;}const _errs44 = errors;var valid9 = _errs43 === errors;}if(data19.path !== undefined){let data21 = data19.path;const _errs45 = errors;if(typeof data21 !== "string"){const err42 = {instancePath:instancePath+"/checks/" + i1+"/path",schemaPath:"#/definitions/check/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err42];}else {vErrors.push(err42);}errors++;}const _errs46 = errors;var valid9 = _errs45 === errors;}if(data19.passes !== undefined){let data22 = data19.passes;const _errs47 = errors;const _errs48 = errors;if((typeof data22 == "number") && (isFinite(data22))){if(data22 < 0 || isNaN(data22)){const err43 = {instancePath:instancePath+"/checks/" + i1+"/passes",schemaPath:"#/definitions/check/properties/passes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err43];}else {vErrors.push(err43);}errors++;}}else {const err44 = {instancePath:instancePath+"/checks/" + i1+"/passes",schemaPath:"#/definitions/check/properties/passes/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err44];}else {vErrors.push(err44);}errors++;}var valid9 = _errs47 === errors;}if(data19.fails !== undefined){let data23 = data19.fails;const _errs49 = errors;const _errs50 = errors;if((typeof data23 == "number") && (isFinite(data23))){if(data23 < 0 || isNaN(data23)){const err45 = {instancePath:instancePath+"/checks/" + i1+"/fails",schemaPath:"#/definitions/check/properties/fails/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};if(vErrors === null){vErrors = [err45];}else {vErrors.push(err45);}errors++;}}else {const err46 = {instancePath:instancePath+"/checks/" + i1+"/fails",schemaPath:"#/definitions/check/properties/fails/type",keyword:"type",params:{type: "number"},message:"must be number"};if(vErrors === null){vErrors = [err46];}else {vErrors.push(err46);}errors++;}var valid9 = _errs49 === errors;}}else {const err47 = {instancePath:instancePath+"/checks/" + i1,schemaPath:"#/definitions/check/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err47];}else {vErrors.push(err47);}errors++;}var valid8 = _errs40 === errors;var valid6 = _errs39 === errors;if(!valid6){valid7 = false;}}}else {const err48 = {instancePath:instancePath+"/checks",schemaPath:"#/properties/checks/type",keyword:"type",params:{type: "array"},message:"must be array"};if(vErrors === null){vErrors = [err48];}else {vErrors.push(err48);}errors++;}var valid0 = _errs37 === errors;}if(data.thresholds !== undefined){let data24 = data.thresholds;const _errs51 = errors;const _errs52 = errors;if(data24 && typeof data24 == "object" && !Array.isArray(data24)){const _errs53 = errors;for(const key5 in data24){let data25 = data24[key5];const _errs54 = errors;const _errs55 = errors;if(Array.isArray(data25)){let valid12 = true;const len2 = data25.length;for(let i2=0; i2<len2; i2++){let data26 = data25[i2];const _errs56 = errors;if(typeof data26 !== "string"){const err49 = {instancePath:instancePath+"/thresholds/" + key5.replace(/~/g, "~0").replace(/\//g, "~1")+"/" + i2,schemaPath:"#/properties/thresholds/additionalProperties/items/type",keyword:"type",params:{type: "string"},message:"must be string"};if(vErrors === null){vErrors = [err49];}else {vErrors.push(err49);}errors++;}const _errs57 = errors;var valid11 = _errs56 === errors;if(!valid11){valid12 = false;}}}else {const err50 = {instancePath:instancePath+"/thresholds/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/thresholds/additionalProperties/type",keyword:"type",params:{type: "array"},message:"must be array"};if(vErrors === null){vErrors = [err50];}else {vErrors.push(err50);}errors++;}var valid10 = _errs54 === errors;}}else {const err51 = {instancePath:instancePath+"/thresholds",schemaPath:"#/properties/thresholds/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err51];}else {vErrors.push(err51);}errors++;}var valid0 = _errs51 === errors;}}else {const err52 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};if(vErrors === null){vErrors = [err52];}else {vErrors.push(err52);}errors++;}validate10.errors = vErrors;return errors === 0;}

// EXTERNAL MODULE: ./src/shard/merge-error.ts
var merge_error = __nccwpck_require__(8675);
// EXTERNAL MODULE: ./src/shard/state-histogram.ts
var state_histogram = __nccwpck_require__(1002);
;// CONCATENATED MODULE: ./src/shard/state.ts





const SHARD_STATE_FORMAT = 'k6-gate-shard-state';
const SHARD_STATE_VERSION = 1;
// ---------------------------------------------------------------------------------------------
// Building a state
/** The k6 stats of a metric that add up over shards (see StateMetric). */
const EXACT_STATS = {
    counter: ['count'],
    rate: ['passes', 'fails'],
    gauge: ['value', 'min', 'max'],
    trend: ['min', 'max'],
};
function seriesKeyOf(metric, tags) {
    // States list tags sorted by name (shardStateOf): then the key needs no sort.
    const names = Object.keys(tags);
    for (let i = 1; i < names.length; i++)
        if (names[i - 1] > names[i])
            return `${metric}\u0002${(0,aggregator/* tagKey */.E4)(Object.entries(tags))}`;
    let key = metric;
    for (const name of names)
        key += `\u0002${name}\u0000${tags[name]}`;
    return key;
}
/**
 * The state of one k6 instance from its remote-write receiver's final series and (when there is one)
 * k6's end-of-test summary, which adds the exact per-metric numbers, the checks and the thresholds.
 */
function shardStateOf(input) {
    const series = [];
    const requestCounts = new Map();
    for (const s of input.series) {
        const metric = (0,remote_write/* k6MetricOfSeries */.Mf)(s.labels.__name__ ?? '', s.histogram !== undefined);
        if (!metric)
            continue;
        const labels = (0,remote_write/* tagsOf */.Fg)(s.labels);
        // Sorted by name: a stable file and a cheap series key (seriesKeyOf).
        const tags = Object.fromEntries(Object.keys(labels)
            .sort()
            .map((name) => [name, labels[name]]));
        if (metric.kind === 'trend') {
            if (!s.histogram)
                continue;
            series.push({
                metric: metric.name,
                type: 'trend',
                contains: metric.contains,
                tags,
                scale: metric.scale,
                histogram: (0,state_histogram/* stateHistogramOf */.R2)(s.histogram),
            });
            if (metric.name === 'http_req_duration')
                requestCounts.set((0,aggregator/* tagKey */.E4)(Object.entries(tags)), s.histogram.count);
        }
        else if (s.value !== undefined && Number.isFinite(s.value)) {
            series.push({ metric: metric.name, type: metric.kind, contains: metric.contains, tags, value: s.value });
        }
    }
    // k6 pushes a rate as its fraction only; http_req_failed's tag set is the request's, whose count is known.
    for (const s of series) {
        if (s.type !== 'rate' || s.metric !== 'http_req_failed')
            continue;
        const requests = requestCounts.get((0,aggregator/* tagKey */.E4)(Object.entries(s.tags)));
        if (requests === undefined)
            continue;
        s.passes = Math.round(s.value * requests);
        s.fails = requests - s.passes;
    }
    series.sort((a, b) => (seriesKeyOf(a.metric, a.tags) < seriesKeyOf(b.metric, b.tags) ? -1 : 1));
    const metrics = {};
    const thresholds = {};
    for (const [name, m] of Object.entries(input.summary?.metrics ?? {})) {
        const values = {};
        for (const stat of EXACT_STATS[m.type])
            if (Number.isFinite(m.values[stat]))
                values[stat] = m.values[stat];
        metrics[name] = { type: m.type, contains: m.contains, values };
    }
    for (const t of input.summary?.thresholds ?? [])
        (thresholds[t.metric] ??= []).push(t.expression);
    const durationMs = input.span.durationMs ?? input.summary?.durationMs;
    return {
        format: SHARD_STATE_FORMAT,
        version: SHARD_STATE_VERSION,
        scenario: input.scenario,
        ...(input.k6Version ? { k6Version: input.k6Version } : {}),
        ...(input.shard ? { shard: { index: input.shard.index, count: input.shard.count } } : {}),
        segment: input.segment ?? '0:1',
        sequence: input.sequence ?? '',
        ...(input.instance ? { instance: input.instance } : {}),
        span: { startMs: input.span.startMs, endMs: input.span.endMs, ...(durationMs !== undefined ? { durationMs } : {}) },
        series,
        metrics,
        checks: (input.summary?.checks ?? []).map((c) => ({ ...c })),
        thresholds,
    };
}
/** The file's text: one line per series, so a diff or a `grep` stays readable. */
function shardStateText(state) {
    const { series, ...head } = state;
    const lines = series.map((s) => `    ${JSON.stringify(s)}`);
    const headText = JSON.stringify(head, null, 2);
    return `${headText.slice(0, -2)},\n  "series": [${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}
// ---------------------------------------------------------------------------------------------
// Reading a state file
function describe(error) {
    const where = `$${error.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
    return `${where} ${error.message ?? 'is not valid'}`;
}
/** A state file's text → the state, or a ShardStateError saying what is wrong with it and what was expected. */
async function parseShardState(text, source) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch (error) {
        throw new merge_error/* ShardStateError */.k(`${source} is not JSON (${error.message}); expected a k6-gate shard state file (state-<scenario>.shard-<i>-of-<N>.json)`, { cause: error });
    }
    const head = data;
    if (!head || typeof head !== 'object' || head.format !== SHARD_STATE_FORMAT) {
        throw new merge_error/* ShardStateError */.k(`${source} is not a k6-gate shard state file; expected a JSON object with "format": "${SHARD_STATE_FORMAT}"`);
    }
    if (head.version !== SHARD_STATE_VERSION) {
        throw new merge_error/* ShardStateError */.k(`${source} is a shard state file of version ${JSON.stringify(head.version)}; this k6-gate reads version ${SHARD_STATE_VERSION} (run the shards and the merge with the same k6-gate version)`);
    }
    // ajv's code for schemas/shard-state.schema.json, generated ahead of time (scripts/shard-state-validator.mjs).
    if (!validate(data)) {
        throw new merge_error/* ShardStateError */.k(`${source} is not a valid shard state file: ${(validate.errors ?? []).slice(0, 3).map(describe).join('; ')} (schemas/shard-state.schema.json)`);
    }
    const state = data;
    for (const s of state.series) {
        for (const buckets of s.histogram ? [s.histogram.positive, s.histogram.negative] : []) {
            const spanned = buckets.spans.reduce((n, [, length]) => n + length, 0);
            if (spanned !== buckets.counts.length) {
                throw new merge_error/* ShardStateError */.k(`${source}: series ${s.metric} ${JSON.stringify(s.tags)}: a histogram has ${buckets.counts.length} bucket counts but its spans say ${spanned}`);
            }
        }
    }
    return state;
}


/***/ }),

/***/ 7666:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   JD: () => (/* binding */ splitCredentials),
/* harmony export */   Op: () => (/* binding */ describeFetchError),
/* harmony export */   ri: () => (/* binding */ withoutCredentials)
/* harmony export */ });
// URLs as they may be shown: credentials in a target URL are secrets.
/** `https://user:pass@host/` → `https://host/`: what reports and logs may show of a target. */
function withoutCredentials(target) {
    try {
        const url = new URL(target);
        if (!url.username && !url.password)
            return target;
        url.username = '';
        url.password = '';
        return url.toString();
    }
    catch {
        return target;
    }
}
/** Splits `https://user:pass@host/x` into a fetchable URL and a Basic Authorization header. */
function splitCredentials(target) {
    const url = new URL(target);
    if (!url.username && !url.password)
        return { url: target };
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    return { url: url.toString(), authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}
/** Describes a failed fetch in the words a person needs (DNS, refused, TLS, timeout). */
function describeFetchError(error) {
    const err = error;
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError')
        return 'no answer before the request time limit';
    const cause = err?.cause;
    const code = cause?.code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
        return `DNS lookup failed (${code}): the host name does not resolve`;
    if (code === 'ECONNREFUSED')
        return 'connection refused (nothing listens on that port)';
    if (code === 'ECONNRESET')
        return 'connection reset by the server';
    if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code))
        return `TLS error (${code}): ${cause?.message ?? ''}`.trim();
    if (cause?.message)
        return code ? `${cause.message} (${code})` : cause.message;
    return err?.message ?? String(error);
}


/***/ }),

/***/ 5208:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Wc: () => (/* binding */ DEFAULT_DUET_OPTIONS),
  nb: () => (/* binding */ DUET_DEFAULT_STATS),
  gC: () => (/* binding */ DUET_MIN_WINDOWS),
  vt: () => (/* binding */ DUET_RATE_MARGIN),
  ij: () => (/* binding */ decideLook),
  Eb: () => (/* binding */ duetStatId),
  cj: () => (/* binding */ pairAll)
});

// UNUSED EXPORTS: DUET_BLOCK_RULE, blockBootstrapMean, blockLength, lag1Autocorrelation, pairWindows, ruleBlockLength

// EXTERNAL MODULE: ./src/baseline/power.ts
var power = __nccwpck_require__(9646);
// EXTERNAL MODULE: ./src/baseline/stats.ts
var baseline_stats = __nccwpck_require__(964);
// EXTERNAL MODULE: ./src/samples/windows.ts
var windows = __nccwpck_require__(4774);
;// CONCATENATED MODULE: ./src/verdict/duet/blocks.ts
// The mean of a duet statistic's paired window values and its standard error (decision.ts). Pure.
//
// Windows next to each other can be alike (a GC pause or a neighbour's burst may last longer than a
// window), and a test that assumes independent windows then raises false alarms. The standard error
// comes from the moving-block bootstrap (Künsch 1989): b/n times the variance of the means of all
// overlapping blocks of b windows, computed exactly rather than by resampling; the reference is
// Student's t with ⌊n/b⌋ − 1 degrees of freedom (independent blocks less one), because a variance
// from few blocks is itself noisy.
//
// The block length grows as n^(1/3), the rate Hall, Horowitz & Jing (1995) found best for variance
// estimation; the constant was chosen from measurements (docs/verdicts.md, "The test"). The duets
// measured here had paired values with a lag-1 autocorrelation of about −0.1 (1 s windows, every
// statistic, quiet and busy machine alike): what is left after the pairing is mostly each window's
// own sampling noise. So b = ⌈n^(1/3)⌉ (3 to 4 windows; 5 to 14 degrees of freedom): at the measured
// autocorrelation it stays below the nominal level. A longer block would only cost degrees of
// freedom: the first rule, ⌈3·n^(1/3)⌉, was sized for ρ = 0.5 and left 2 to 4, with t quantiles so
// large that a live +5 % was found in 2 of 8 duets. For windows that are alike after all (another
// service, another runner) a guard: when the values' lag-1 autocorrelation is above 0.15, the block
// is ⌈3·n^(1/3)⌉ again. At ρ = 0.5 that keeps false alarms near α (5.8 % in simulation; 12.8 %
// without the guard), not at it: a pre-test on 20 windows misses some autocorrelated series. Every
// block length is at most n/3, so that at least three blocks are left to estimate the variance from.
const DUET_BLOCK_RULE = { scale: 1, guard: { autocorrelation: 0.15, scale: 3 } };
/** The block length for n windows: ⌈scale·n^(1/3)⌉, at most ⌊n/3⌋, at least 1. */
function blockLength(n, scale = DUET_BLOCK_RULE.scale) {
    return Math.max(1, Math.min(Math.ceil(scale * Math.cbrt(n)), Math.floor(n / 3)));
}
/** Lag-1 autocorrelation of the first n values (0 when they do not vary). */
function lag1Autocorrelation(d, n = d.length) {
    let mean = 0;
    for (let i = 0; i < n; i++)
        mean += d[i];
    mean /= n;
    let lagged = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
        squares += (d[i] - mean) ** 2;
        if (i > 0)
            lagged += (d[i] - mean) * (d[i - 1] - mean);
    }
    return squares > 0 ? lagged / squares : 0;
}
/** The block length the rule gives these values. */
function ruleBlockLength(d, n = d.length, rule = DUET_BLOCK_RULE) {
    const guarded = rule.guard !== undefined && lag1Autocorrelation(d, n) > rule.guard.autocorrelation;
    return blockLength(n, guarded && rule.guard ? rule.guard.scale : rule.scale);
}
/**
 * Mean of `d` and its moving-block bootstrap standard error: b/n times the variance of the means of
 * the n − b + 1 overlapping blocks of length b (the exact variance of the bootstrap mean, no resampling).
 */
function blockBootstrapMean(d, n = d.length, b = ruleBlockLength(d, n)) {
    let total = 0;
    for (let i = 0; i < n; i++)
        total += d[i];
    const mean = total / n;
    const blocks = n - b + 1;
    let window = 0;
    for (let i = 0; i < b; i++)
        window += d[i];
    let squares = 0;
    for (let s = 0;; s++) {
        const m = window / b - mean;
        squares += m * m;
        if (s + 1 >= blocks)
            break;
        window += d[s + b] - d[s];
    }
    const variance = ((squares / blocks) * b) / n;
    return { n, mean, se: Math.sqrt(variance), blockLength: b, df: Math.max(1, Math.floor(n / b) - 1) };
}

// EXTERNAL MODULE: ./src/baseline/sampling.ts
var sampling = __nccwpck_require__(6574);
;// CONCATENATED MODULE: ./src/verdict/duet/sequential.ts
// Group-sequential boundaries: deciding after every block of a duet without raising the false-alarm
// rate. Looking at the data K times at a fixed level α would raise it to about 1 − (1 − α)^K for
// independent looks; a group-sequential design spends α over the looks instead. The statistic at
// look k, Z_k, is (approximately) normal with Z_k·√t_k a Brownian motion in the information fraction
// t_k (the share of the maximum sample seen), so the chance of crossing a boundary at look k given
// no earlier crossing is an integral over the continuation regions of the earlier looks (Armitage,
// McPherson & Rowe 1969; Jennison & Turnbull 2000, ch. 19), computed here on a grid with Simpson's rule.
//
// - Pocock (1977): the same boundary at every look; O'Brien & Fleming (1979): c·√(K/k), very strict
//   early and close to the fixed-sample 1.96 at the end. Both need the looks fixed in advance.
// - Lan & DeMets (1983): an α-spending function α(t) says how much α may be spent by information
//   fraction t, so the looks need not be known in advance (a duet stopped by k6 a second early still
//   has a valid boundary). `pocock`: α·ln(1 + (e − 1)·t); `obrien-fleming`: 2 − 2Φ(z₁₋α/₂ / √t).
// The tests check the numbers against the published tables.

/** α spent by information fraction t (0 < t ≤ 1) for a two-sided overall level `alpha`. */
function alphaSpent(spending, t, alpha) {
    if (t <= 0)
        return 0;
    const f = Math.min(1, t);
    if (spending === 'pocock')
        return alpha * Math.log(1 + (Math.E - 1) * f);
    return 2 - 2 * (0,sampling/* normalCdf */.vr)((0,sampling/* normalQuantile */.Zl)(1 - alpha / 2) / Math.sqrt(f));
}
/** Grid points per look (odd, for Simpson's rule). */
const GRID = 301;
/** The density of the first look and the tails past this many standard deviations are left out. */
const RANGE_SD = 9;
function simpsonWeights(n, h) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++)
        w[i] = ((i === 0 || i === n - 1 ? 1 : i % 2 === 1 ? 4 : 2) * h) / 3;
    return w;
}
function phi(x) {
    return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}
/** P(cross at this look) for a boundary `c` on the Z scale, from the density of the previous look. */
function crossing(previous, t, tPrevious, c) {
    if (!previous)
        return 2 * (1 - (0,sampling/* normalCdf */.vr)(c));
    const sd = Math.sqrt(t - tPrevious);
    const b = c * Math.sqrt(t);
    let p = 0;
    for (let i = 0; i < previous.s.length; i++) {
        const s = previous.s[i];
        p += previous.w[i] * previous.g[i] * ((0,sampling/* normalCdf */.vr)((-b - s) / sd) + 1 - (0,sampling/* normalCdf */.vr)((b - s) / sd));
    }
    return p;
}
/** The density at this look on its continuation region |Z| < c. */
function continueDensity(previous, t, tPrevious, c) {
    const b = Math.min(c, RANGE_SD) * Math.sqrt(t);
    const h = (2 * b) / (GRID - 1);
    const s = new Float64Array(GRID);
    const g = new Float64Array(GRID);
    for (let i = 0; i < GRID; i++)
        s[i] = -b + i * h;
    if (!previous) {
        for (let i = 0; i < GRID; i++)
            g[i] = phi(s[i] / Math.sqrt(t)) / Math.sqrt(t);
    }
    else {
        const sd = Math.sqrt(t - tPrevious);
        for (let i = 0; i < GRID; i++) {
            let v = 0;
            for (let j = 0; j < previous.s.length; j++)
                v += previous.w[j] * previous.g[j] * phi((s[i] - previous.s[j]) / sd);
            g[i] = v / sd;
        }
    }
    return { s, g, w: simpsonWeights(GRID, h) };
}
/** Smallest c in [0, 40] with f(c) ≤ target, for f decreasing in c. */
function solveBoundary(f, target) {
    if (target <= 0)
        return Infinity;
    let low = 0;
    let high = 40;
    for (let i = 0; i < 60; i++) {
        const mid = (low + high) / 2;
        if (f(mid) > target)
            low = mid;
        else
            high = mid;
    }
    return high;
}
/**
 * Lan–DeMets boundaries for looks at the given information fractions (increasing, in (0, 1]),
 * two-sided at overall level `alpha`.
 */
function spendingBoundaries(spending, fractions, alpha) {
    checkFractions(fractions, alpha);
    const z = [];
    const spent = [];
    let density;
    let tPrevious = 0;
    for (const t of fractions) {
        const target = alphaSpent(spending, t, alpha) - alphaSpent(spending, tPrevious, alpha);
        const c = solveBoundary((x) => crossing(density, t, tPrevious, x), target);
        z.push(c);
        spent.push(target);
        density = continueDensity(density, t, tPrevious, c);
        tPrevious = t;
    }
    return { fractions: [...fractions], z, nominal: z.map((c) => 2 * (1 - (0,sampling/* normalCdf */.vr)(c))), spent };
}
/** Total crossing probability of boundaries z at the given fractions (under no effect). */
function crossingProbability(fractions, z) {
    let density;
    let tPrevious = 0;
    let total = 0;
    fractions.forEach((t, k) => {
        total += crossing(density, t, tPrevious, z[k]);
        density = continueDensity(density, t, tPrevious, z[k]);
        tPrevious = t;
    });
    return total;
}
/**
 * The classic designs with K equally spaced looks: Pocock's constant boundary, or O'Brien–Fleming's
 * c·√(K/k). Returns the constant c (the boundary at the last look for O'Brien–Fleming).
 */
function classicBoundaryConstant(design, looks, alpha) {
    const fractions = Array.from({ length: looks }, (_, k) => (k + 1) / looks);
    const shape = (k) => (design === 'pocock' ? 1 : Math.sqrt(looks / (k + 1)));
    return solveBoundary((c) => crossingProbability(fractions, fractions.map((_, k) => c * shape(k))), alpha);
}
function checkFractions(fractions, alpha) {
    if (!(alpha > 0 && alpha < 1))
        throw new RangeError(`alpha ${alpha}; expected a number strictly between 0 and 1`);
    if (fractions.length === 0)
        throw new RangeError('no looks; expected at least one information fraction');
    fractions.forEach((t, k) => {
        if (!(t > 0 && t <= 1) || (k > 0 && !(t > fractions[k - 1]))) {
            throw new RangeError(`information fractions ${JSON.stringify(fractions)}; expected increasing numbers in (0, 1]`);
        }
    });
}

;// CONCATENATED MODULE: ./src/verdict/duet/decision.ts
// The duet decision: A and B measured at the same time, compared window by window. Method and
// choices argued in docs/verdicts.md ("Duet verdicts") and docs/adr/0005-duet-verdicts.md. Pure.
//
// Per watched statistic, each window where both sides answered gives one paired value d: the
// log-ratio ln(B/A) for latencies (multiplicative noise; a ratio is what users read), the difference
// B − A for the error rate (0 on both sides has no ratio). Whatever slowed the machine in that
// second slowed both sides, so d keeps the change and little of the machine. The mean of d, its
// standard error from the moving-block bootstrap and the t reference: blocks.ts. No normality of the
// windows is assumed: the mean of n windows is close to normal by the central limit theorem for
// dependent data, which is what the bootstrap variance rests on.
//
// Across the watched statistics a Holm step-down (equal weights in the graphical procedure of
// Maurer & Bretz 2013, which carries over to group-sequential boundaries) keeps the chance of any
// false alarm at α however many statistics are watched. Over the looks, Lan–DeMets spending
// (sequential.ts) keeps it at α however many blocks are looked at.






const DUET_DEFAULT_STATS = [
    { metric: 'http_req_duration', stat: 'p(90)' },
    { metric: 'http_req_duration', stat: 'p(95)' },
    { metric: 'http_req_duration', stat: 'p(99)' },
    { metric: 'http_req_duration', stat: 'avg' },
    { metric: 'http_req_duration', stat: 'med' },
    { metric: 'http_req_failed', stat: 'rate' },
];
/** Fewest paired windows a statistic is judged on (b ≥ 2, three blocks, 2 degrees of freedom). */
const DUET_MIN_WINDOWS = 6;
/**
 * The practical size of the error rate, in absolute terms (0.005 = 0.5 percentage points): what
 * "equivalent" allows. A significant rise of the error rate is a regression at any size.
 */
const DUET_RATE_MARGIN = 0.005;
/**
 * Defaults chosen from the noise lab's live duets (docs/verdicts.md, 2 December 2026): α = 0.05 as
 * A/B mode; a practical size of 2 %, below the +3.8 % a live +5 % slowdown of the server measured end
 * to end and above what equal sides differed by (medians 0.0 % and −0.2 % on avg and med), with 1 to
 * 3 % deciding the recorded duets alike; Pocock-type spending, the only one that leaves α for a
 * decision at the first block (O'Brien–Fleming-type: the live +20 % in 1 of 10 first blocks against 5).
 */
const DEFAULT_DUET_OPTIONS = { alpha: 0.05, minEffect: 0.02, spending: 'pocock' };
function duetStatId(s) {
    return `${s.metric}:${s.stat}`;
}
function trendValue(stat, trend) {
    if (stat === 'avg')
        return trend.avg;
    if (stat === 'med')
        return trend.percentile(50);
    if (stat === 'min')
        return trend.valueAtRank(0);
    if (stat === 'max')
        return trend.valueAtRank(trend.count - 1);
    const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
    if (!m)
        throw new RangeError(`duet statistic ${JSON.stringify(stat)}; expected avg, med, min, max or p(N) such as p(95)`);
    return trend.percentile(Number(m[1]));
}
function failedRate(windows) {
    let failed = 0;
    let requests = 0;
    for (const w of windows) {
        failed += w.failedRequests;
        requests += w.requests;
    }
    return requests > 0 ? failed / requests : NaN;
}
function checkStat(stat) {
    if (stat.stat !== 'rate' && !['avg', 'med', 'min', 'max'].includes(stat.stat) && !/^p\(\d+(?:\.\d+)?\)$/.test(stat.stat)) {
        throw new RangeError(`duet statistic ${JSON.stringify(stat.stat)}; expected avg, med, min, max or p(N) such as p(95)`);
    }
}
/**
 * The paired windows of every watched statistic (index i of A with index i of B; a window where a
 * side measured nothing is left out). Statistics of one metric share each window's trend, so
 * watching six statistics costs one pass over the windows.
 */
function pairAll(a, b, stats) {
    stats.forEach(checkStat);
    const n = Math.min(a.length, b.length);
    const trends = new Map();
    const trendOf = (side, which, metric, from, to) => {
        const key = `${which} ${metric} ${from} ${to}`;
        let t = trends.get(key);
        if (!t) {
            t = (0,windows/* trendOfWindows */.Qu)(side.slice(from, to).map((w) => w.trends.get(metric)));
            trends.set(key, t);
        }
        return t;
    };
    return stats.map((stat) => {
        const isRate = stat.stat === 'rate';
        const usedA = [];
        const usedB = [];
        for (let i = 0; i < n; i++) {
            const ok = isRate
                ? a[i].requests > 0 && b[i].requests > 0
                : (a[i].trends.get(stat.metric)?.count ?? 0) > 0 && (b[i].trends.get(stat.metric)?.count ?? 0) > 0;
            if (ok) {
                usedA.push(a[i]);
                usedB.push(b[i]);
            }
        }
        // Windows of A and B as the statistic pairs them, keyed apart from other statistics' pairings.
        const pairing = isRate ? 'requests' : `trend ${stat.metric}`;
        const paired = isRate
            ? (i) => failedRate([usedB[i]]) - failedRate([usedA[i]])
            : (i) => {
                const va = trendValue(stat.stat, trendOf(usedA, `A ${pairing}`, stat.metric, i, i + 1));
                const vb = trendValue(stat.stat, trendOf(usedB, `B ${pairing}`, stat.metric, i, i + 1));
                return va > 0 && vb > 0 ? Math.log(vb / va) : NaN;
            };
        // A statistic of 0 in a window (min of a trend with zeros) has no ratio: that window is left out.
        const d = Array.from({ length: usedA.length }, (_, i) => paired(i)).filter(Number.isFinite);
        const whole = (side, which) => side.length === 0
            ? NaN
            : isRate
                ? failedRate(side)
                : trendValue(stat.stat, trendOf(side, `${which} ${pairing}`, stat.metric, 0, side.length));
        return {
            id: duetStatId(stat),
            kind: isRate ? 'difference' : 'log-ratio',
            d,
            pooledA: whole(usedA, 'A'),
            pooledB: whole(usedB, 'B'),
        };
    });
}
/** The paired windows of one statistic (pairAll for one). */
function pairWindows(a, b, stat) {
    return pairAll(a, b, [stat])[0];
}
/** Boundaries already computed (a duet asks for the same few again at every look; simulations thousands of times). */
const boundaries = new Map();
function nominalLevel(spending, fractions, alpha) {
    const key = `${spending} ${alpha} ${fractions.join(' ')}`;
    let v = boundaries.get(key);
    if (v === undefined) {
        v = spendingBoundaries(spending, fractions, alpha).nominal[fractions.length - 1];
        if (boundaries.size >= 1024)
            boundaries.clear();
        boundaries.set(key, v);
    }
    return v;
}
const quantiles = new Map();
function tQuantile(p, df) {
    const key = `${p} ${df}`;
    let v = quantiles.get(key);
    if (v === undefined) {
        v = (0,baseline_stats/* studentTQuantile */.$J)(p, df);
        if (quantiles.size >= 4096)
            quantiles.clear();
        quantiles.set(key, v);
    }
    return v;
}
const mdeFactors = new Map();
/** The MDE per unit of standard error, (t₁₋α/₂ + z₁₋β): linear in the SE, so one per α and df. */
function mdeFactor(alpha, df) {
    const key = `${alpha} ${df}`;
    let v = mdeFactors.get(key);
    if (v === undefined) {
        v = (0,power/* minimumDetectableEffect */.nv)(1, { alpha, df });
        if (mdeFactors.size >= 1024)
            mdeFactors.clear();
        mdeFactors.set(key, v);
    }
    return v;
}
const toChange = (kind, v) => (kind === 'log-ratio' ? Math.expm1(v) : v);
/**
 * Holm over the statistics: the ids found significant at an earlier look, then, in order of p,
 * each whose p is at most `levelFor(statistics left)`.
 */
function holmSignificant(tests, m, previous, levelFor) {
    const significant = new Set();
    for (const s of previous?.stats ?? [])
        if (s.verdict === 'regressed' || s.verdict === 'improved')
            significant.add(s.id);
    for (;;) {
        const left = m - significant.size;
        if (left === 0)
            break;
        const level = levelFor(left);
        const next = tests.filter((t) => !significant.has(t.p.id) && Number.isFinite(t.pValue)).sort((x, y) => x.pValue - y.pValue)[0];
        if (!next || next.pValue > level)
            break;
        significant.add(next.p.id);
    }
    return significant;
}
/**
 * Decides one look. `pairs` are the paired windows of every watched statistic so far, `fractions`
 * the information fractions of all looks up to this one (the last is this look's), `final` whether
 * no more blocks will come (max-duration reached). `previous` is the last look's result: a statistic
 * found significant there stays so (a group-sequential rejection is final).
 */
function decideLook(pairs, fractions, final, options = DEFAULT_DUET_OPTIONS, previous) {
    const k = fractions.length;
    // The nominal level at this look for a test at overall level a.
    const nominal = (a) => nominalLevel(options.spending, fractions, a);
    const tests = pairs.map((p) => {
        const enough = p.d.length >= DUET_MIN_WINDOWS;
        const m = enough ? blockBootstrapMean(p.d, p.d.length, ruleBlockLength(p.d, p.d.length, options.blockRule)) : undefined;
        let pValue = NaN;
        if (m)
            pValue = m.se > 0 ? 2 * (1 - (0,baseline_stats/* studentTCdf */.Jt)(Math.abs(m.mean) / m.se, m.df)) : m.mean === 0 ? 1 : 0;
        return { p, m, pValue };
    });
    // Holm over the statistics: reject in order of p while p ≤ the level for α/(statistics left).
    const m = pairs.length;
    const significant = holmSignificant(tests, m, previous, (left) => nominal(options.alpha / left));
    const levelLeft = nominal(options.alpha / Math.max(1, m - significant.size));
    const unadjusted = nominal(options.alpha);
    const stats = tests.map(({ p, m: mm, pValue }) => {
        const level = significant.has(p.id) ? nominal(options.alpha / Math.max(1, m - significant.size + 1)) : levelLeft;
        const practical = p.kind === 'log-ratio' ? Math.log1p(options.minEffect) : 0;
        const margin = p.kind === 'log-ratio' ? Math.log1p(options.minEffect) : DUET_RATE_MARGIN;
        const base = { id: p.id, kind: p.kind, windows: p.d.length, pooledA: p.pooledA, pooledB: p.pooledB, level };
        if (!mm) {
            return {
                ...base,
                verdict: 'undecided',
                change: NaN,
                interval: [NaN, NaN],
                p: NaN,
                blockLength: 0,
                df: 0,
                floor: { value: toChange(p.kind, practical), source: 'practical size' },
                mde: NaN,
                note: `${p.d.length} paired windows; at least ${DUET_MIN_WINDOWS} are needed`,
            };
        }
        // The interval at the look's level for one statistic: "equivalent" needs every statistic's
        // interval inside its margin, an intersection-union test, which needs no correction for the
        // number of statistics (Berger 1982); "changed" needs the Holm-corrected p.
        const q = tQuantile(1 - unadjusted / 2, mm.df);
        const half = q * mm.se;
        const low = mm.mean - half;
        const high = mm.mean + half;
        const noiseWins = half > practical;
        const floorValue = Math.max(half, practical);
        let verdict = 'undecided';
        let note;
        const previousVerdict = previous?.stats.find((s) => s.id === p.id)?.verdict;
        if (significant.has(p.id) && Math.abs(mm.mean) > practical)
            verdict = mm.mean > 0 ? 'regressed' : 'improved';
        // Found at an earlier look: a group-sequential rejection is final.
        else if (previousVerdict === 'regressed' || previousVerdict === 'improved')
            verdict = previousVerdict;
        else if (low > -margin && high < margin) {
            verdict = 'equivalent';
            note = `equivalent within ±${formatSize(p.kind, margin)}`;
        }
        else if (significant.has(p.id))
            note = `a real change, smaller than the practical size ${formatSize(p.kind, practical)}`;
        else
            note = `the interval reaches past ±${formatSize(p.kind, margin)} and holds 0`;
        return {
            ...base,
            verdict,
            change: toChange(p.kind, mm.mean),
            interval: [toChange(p.kind, low), toChange(p.kind, high)],
            p: pValue,
            blockLength: mm.blockLength,
            df: mm.df,
            autocorrelation: lag1Autocorrelation(p.d),
            floor: { value: toChange(p.kind, floorValue), source: noiseWins ? 'window noise' : 'practical size' },
            mde: toChange(p.kind, mdeFactor(options.alpha, mm.df) * mm.se),
            ...(note ? { note } : {}),
        };
    });
    return { look: k, fraction: fractions[k - 1], ...overall(stats, final, options), stats };
}
function formatSize(kind, v) {
    return kind === 'log-ratio' ? `${(Math.expm1(v) * 100).toFixed(1)} %` : `${(v * 100).toFixed(2)} pp`;
}
function overall(stats, final, options) {
    const ids = (v) => stats.filter((s) => s.verdict === v).map((s) => s.id);
    const regressed = ids('regressed');
    if (regressed.length > 0)
        return { outcome: 'regressed', reason: `B is worse than A on ${regressed.join(', ')}` };
    const undecided = ids('undecided');
    if (undecided.length === 0) {
        const improved = ids('improved');
        if (improved.length > 0)
            return { outcome: 'improved', reason: `B is better than A on ${improved.join(', ')}; the rest equivalent` };
        const margins = [
            ...(stats.some((s) => s.kind === 'log-ratio') ? [`±${formatSize('log-ratio', Math.log1p(options.minEffect))} on latencies`] : []),
            ...(stats.some((s) => s.kind === 'difference') ? [`±${formatSize('difference', DUET_RATE_MARGIN)} on the error rate`] : []),
        ];
        return { outcome: 'equivalent', reason: `B is equivalent to A within ${margins.join(' and ')}` };
    }
    if (!final)
        return { outcome: 'continue', reason: `not decided yet: ${undecided.join(', ')}` };
    return { outcome: 'inconclusive', reason: `max-duration reached without a decision on ${undecided.join(', ')}` };
}
// The whole sequential decision over recorded or simulated windows lives in replay.ts (which imports
// this module; a re-export here would close an import circle).


/***/ }),

/***/ 2813:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Mk: () => (/* binding */ DUET_BLOCK_MS),
/* harmony export */   OU: () => (/* binding */ runDuet),
/* harmony export */   gl: () => (/* binding */ DUET_MAX_DURATION_MS),
/* harmony export */   u$: () => (/* binding */ checkDuetDurations)
/* harmony export */ });
/* unused harmony export DuetError */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3916);
/* harmony import */ var _k6_load_health_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3684);
/* harmony import */ var _k6_preflight_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(2846);
/* harmony import */ var _k6_run_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9316);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(6264);
/* harmony import */ var _observability_metrics_output_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9128);
/* harmony import */ var _samples_remote_write_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(3715);
/* harmony import */ var _samples_windows_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(4774);
/* harmony import */ var _decision_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(5208);









/** Default block: 20 s of k6 (two halves of 10 s), a look after each. */
const DUET_BLOCK_MS = 20_000;
/** Default max-duration: 60 s of k6, three looks. */
const DUET_MAX_DURATION_MS = 60_000;
/** k6's push interval, the window length. */
const WINDOW_MS = 1000;
class DuetError extends _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ExpectedError */ .Dh {
    side;
    constructor(message, side) {
        super(message);
        this.side = side;
        this.name = 'DuetError';
    }
}
const sideName = (side) => (side === 'A' ? 'A (baseline-target)' : 'B (target)');
/** Checks a duet's durations; a max-duration below one block is an error in words. */
function checkDuetDurations(blockMs, maxDurationMs) {
    if (!(blockMs >= 2 * _decision_js__WEBPACK_IMPORTED_MODULE_7__/* .DUET_MIN_WINDOWS */ .gC * WINDOW_MS)) {
        throw new DuetError(`a duet block of ${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(blockMs)} is too short; expected at least ${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(2 * _decision_js__WEBPACK_IMPORTED_MODULE_7__/* .DUET_MIN_WINDOWS */ .gC * WINDOW_MS)}`);
    }
    if (!(maxDurationMs >= blockMs)) {
        throw new DuetError(`max-duration ${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(maxDurationMs)} is shorter than one duet block (${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(blockMs)}); expected at least ${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(blockMs)}, e.g. 60s`);
    }
}
/** What a duet result tells of its measuring so far: k6's time and runs, the windows, the CPU wait. */
function measuredSoFar(runs, windows, k6CpuWait) {
    const untrustworthy = (0,_k6_load_health_js__WEBPACK_IMPORTED_MODULE_1__/* .k6Starved */ .t$)(k6CpuWait);
    return {
        k6Seconds: runs.reduce((s, r) => s + (r.side === 'A' ? r.result.wallMs : 0), 0) / 1000,
        k6Runs: runs.length,
        runs,
        windows: { A: windows.windows('A'), B: windows.windows('B') },
        ...(k6CpuWait ? { k6CpuWait } : {}),
        ...(untrustworthy ? { untrustworthy } : {}),
    };
}
/** Both sides answer before anything is measured; else the first that does not, in words. */
async function preflightSides(options) {
    for (const side of ['A', 'B']) {
        const url = options.health?.[side] ?? options.targets[side];
        try {
            await (0,_k6_preflight_js__WEBPACK_IMPORTED_MODULE_2__/* .waitForHealthy */ .SE)(url, { timeoutMs: options.preflightTimeoutMs ?? 30_000, log: options.log, attemptTimeoutMs: 2000 });
        }
        catch (error) {
            return { error: `${sideName(side)} is not answering: ${error.message}`, side };
        }
    }
    return undefined;
}
/**
 * Runs the duet and decides. Never throws for a fault of k6 or a target: those come back as
 * `outcome: 'error'` with the side named; bad durations throw DuetError before anything starts.
 */
async function runDuet(options) {
    const blockMs = options.blockMs ?? DUET_BLOCK_MS;
    const maxDurationMs = options.maxDurationMs ?? DUET_MAX_DURATION_MS;
    checkDuetDurations(blockMs, maxDurationMs);
    const blocks = Math.floor(maxDurationMs / blockMs);
    const log = options.log;
    const stats = options.stats ?? _decision_js__WEBPACK_IMPORTED_MODULE_7__/* .DUET_DEFAULT_STATS */ .nb;
    const runs = [];
    const looks = [];
    // Every trend metric a statistic watches is kept per window (http_req_duration always: it counts the requests).
    const trends = ['http_req_duration', ...stats.filter((s) => s.stat !== 'rate').map((s) => s.metric)];
    const windows = new _samples_windows_js__WEBPACK_IMPORTED_MODULE_6__/* .DuetWindows */ .SQ({ windowMs: WINDOW_MS, trends: [...new Set(trends)] });
    // Every k6 process of the duet, both sides and every half: the deciding data is all of theirs.
    const cpu = (0,_k6_load_health_js__WEBPACK_IMPORTED_MODULE_1__/* .startCpuWaitMeter */ .fM)();
    const measured = () => measuredSoFar(runs, windows, cpu.read());
    const fail = (error, side) => {
        log.error(`k6-gate: duet: ${error}`);
        return { outcome: 'error', looks, reason: error, error, ...(side ? { side } : {}), ...measured() };
    };
    const down = await preflightSides(options);
    if (down) {
        cpu.stop();
        return fail(down.error, down.side);
    }
    const receiver = await (0,_samples_remote_write_js__WEBPACK_IMPORTED_MODULE_5__/* .startRemoteWriteAnalysis */ .q7)({ windows, log });
    try {
        const { args: outputArgs, env: outputEnv } = (0,_observability_metrics_output_js__WEBPACK_IMPORTED_MODULE_4__/* .liveRemoteWriteSetup */ .L9)(receiver.url, options.k6Version, options.env);
        const fractions = [];
        for (let block = 1; block <= blocks; block++) {
            const from = Math.max(windows.windows('A').length, windows.windows('B').length);
            for (const half of [1, 2]) {
                const order = half === 1 ? ['A', 'B'] : ['B', 'A'];
                const problem = await runHalf({ ...options, onK6Spawn: (pid) => cpu.watch(pid) }, block, half, order, blockMs / 2, outputArgs, outputEnv, runs);
                if (problem?.cancelled) {
                    return { ...fail(`stopped by ${problem.cancelled} during block ${block}`), cancelled: problem.cancelled };
                }
                if (problem)
                    return fail(problem.error, problem.side);
            }
            const a = windows.windows('A');
            const b = windows.windows('B');
            const silent = sideWithoutAnswers(windows, from, block);
            if (silent) {
                // No requests at all from a k6 starved of CPU: it never got to run its load (a down side
                // answers with failures). Not a side's fault: the load generator's, so no verdict.
                const starved = silent.none ? (0,_k6_load_health_js__WEBPACK_IMPORTED_MODULE_1__/* .k6Starved */ .t$)(cpu.read()) : undefined;
                if (!starved)
                    return fail(silent.error, silent.side);
                const reason = `${sideName(silent.side)} measured no requests in block ${block} while the duet's k6 processes were starved of CPU: no decision`;
                log.warning(`k6-gate: duet: ${reason}`);
                return { outcome: 'inconclusive', looks, reason, ...measured() };
            }
            fractions.push((block * blockMs) / (blocks * blockMs));
            const pairs = (0,_decision_js__WEBPACK_IMPORTED_MODULE_7__/* .pairAll */ .cj)(a, b, stats);
            const look = (0,_decision_js__WEBPACK_IMPORTED_MODULE_7__/* .decideLook */ .ij)(pairs, fractions, block === blocks, options.options ?? _decision_js__WEBPACK_IMPORTED_MODULE_7__/* .DEFAULT_DUET_OPTIONS */ .Wc, looks.at(-1));
            looks.push(look);
            log.info(`k6-gate: duet look ${block} of ${blocks} (${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(block * blockMs)} of k6 per side): ${look.outcome}: ${look.reason}`);
            if (look.outcome !== 'continue') {
                return { outcome: look.outcome, looks, reason: look.reason, ...measured() };
            }
        }
        throw new Error('unreachable: the last look is final');
    }
    finally {
        cpu.stop();
        await receiver.stop();
    }
}
/**
 * A side that answered none of its requests in these windows (down, or failing mid-run), else one
 * that measured none (`none`: its k6 sent nothing; the caller asks whether k6 was starved of CPU).
 */
function sideWithoutAnswers(windows, from, block) {
    const counted = ['A', 'B'].map((side) => {
        let requests = 0;
        let failed = 0;
        for (const w of windows.windows(side).slice(from)) {
            requests += w.requests;
            failed += w.failedRequests;
        }
        return { side, requests, failed };
    });
    const down = counted.find((c) => c.requests > 0 && c.failed === c.requests);
    if (down)
        return {
            error: `${sideName(down.side)} failed all ${down.requests} of its requests in block ${block}: is it down?`,
            side: down.side,
            none: false,
        };
    const silent = counted.find((c) => c.requests === 0);
    if (silent)
        return {
            error: `${sideName(silent.side)} measured no requests in block ${block}: did its k6 reach it?`,
            side: silent.side,
            none: true,
        };
    return undefined;
}
/** One half: both k6 processes for `halfMs`, `order[0]` spawned first; both stopped together. */
async function runHalf(options, block, half, order, halfMs, outputArgs, outputEnv, runs) {
    if (options.cancellation?.signal)
        return { error: 'stopped', cancelled: options.cancellation.signal };
    const stop = new AbortController();
    let reason = `the duet's half ${block}${half === 1 ? 'a' : 'b'} is over (${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(halfMs)})`;
    const stopBoth = (why) => {
        if (stop.signal.aborted)
            return;
        reason = why;
        stop.abort();
    };
    let endedEarly;
    const variable = options.targetVariable ?? 'BASE_URL';
    const started = order.map((side) => (0,_k6_run_js__WEBPACK_IMPORTED_MODULE_3__/* .runK6 */ .Bt)({
        k6Path: options.k6Path,
        script: options.script,
        scenario: `${options.scenario}-duet-${block}${half === 1 ? 'a' : 'b'}-${side}`,
        resultsDir: options.resultsDir,
        env: { ...options.env, ...outputEnv, [variable]: options.targets[side] },
        baseEnv: options.baseEnv,
        args: [
            ...outputArgs,
            '--tag',
            `${_samples_windows_js__WEBPACK_IMPORTED_MODULE_6__/* .SIDE_LABEL */ .Jv}=${side}`,
            '--tag',
            `duet_half=${block}${half === 1 ? 'a' : 'b'}`,
            ...(options.args ?? []),
        ],
        htmlReport: false,
        log: options.log,
        secrets: options.secrets,
        onSpawn: options.onK6Spawn,
        cwd: options.cwd,
        cancellation: options.cancellation,
        plannedStop: {
            signal: stop.signal,
            get reason() {
                return reason;
            },
        },
    }).then((result) => {
        // Ended on its own before the half was over: the other one is stopped too.
        if (!stop.signal.aborted && !result.cancelled) {
            endedEarly ??= { side, result };
            stopBoth(`k6 against ${sideName(side)} ended`);
        }
        return { side, result };
    }));
    const timer = setTimeout(() => stopBoth(reason), halfMs);
    const done = await Promise.all(started);
    clearTimeout(timer);
    for (const { side, result } of done)
        runs.push({ block, half, side, result });
    const cancelled = done.find((d) => d.result.cancelled)?.result.cancelled;
    if (cancelled)
        return { error: 'stopped', cancelled };
    if (endedEarly) {
        const { side, result } = endedEarly;
        // A script that simply finished (exit 0) is shorter than a half: the way out is a longer load.
        const hint = result.exitCode === 0
            ? `; the script's load must last longer than each half (${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(halfMs)}): give it a longer duration (e.g. options.duration '10m'; the duet stops it)`
            : '';
        return {
            error: `k6 against ${sideName(side)} ended after ${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(result.wallMs)}, before its half of ${(0,_format_js__WEBPACK_IMPORTED_MODULE_8__/* .formatDuration */ .a3)(halfMs)} was over: ${result.meaning}; the other k6 was stopped (files of both in ${options.resultsDir})${hint}`,
            side,
        };
    }
    return undefined;
}


/***/ }),

/***/ 311:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   x: () => (/* binding */ VERSION)
/* harmony export */ });
// Kept equal to package.json's version by test/version.test.ts; bundles cannot read package.json.
const VERSION = '0.1.0';


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

/***/ }),

/***/ 3480:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("querystring");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 3106:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("zlib");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "cli." + chunkId + ".js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(7318);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
