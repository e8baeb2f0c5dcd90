#!/usr/bin/env python3
"""Prints the markdown tables of REPORT.md from results/*.json."""
import json, os
R = '/work/eval/results'
def load(n):
    p = f'{R}/{n}.json'
    return json.load(open(p)) if os.path.exists(p) else None

print('### Scenario (crash window)\n')
print('| client | run | acked | acked missing from topic | duplicate records | resumed | first ack after restart (s) / after broker ready (s) | wedged | failed sends after broker ready | errors (count) | producer ids |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for c in ['kafkajs-plain', 'kafkajs-fixed', 'platformatic', 'platformatic-fixed', 'confluent']:
    for tag in ['', '-run2']:
        d = load(f'scenario-{c}{tag}')
        if not d: continue
        errs = '; '.join(f"`{k}` ×{v['count']}" for k, v in d['errors'].items())
        res = 'yes' if d['resumed'] else 'no'
        ra = '—' if not d['resumed'] else f"{d['resumedAfterRestartS']:.1f} / {d['resumedAfterBrokerReadyS']:.1f}"
        wed = 'yes (%d lanes stuck)' % len(d['stuckLanes']) if d['wedged'] else 'no'
        pids = d['clientInfo'].get('producerIds', d['clientInfo'].get('producerId', ''))
        print(f"| {c} | {tag[1:] or 'run1'} | {d['acked']} | **{d['ackedMissingFromTopic']}** | {d['duplicateRecords']} | {res} | {ra} | {wed} | {d['failedSendsAfterBrokerReady']} | {errs} | {pids} |")

print('\n### Bench (no faults; 3 partitions, ~1 KB values, 20 s per level after 3 s warm-up)\n')
base = load('bench-kafkajs-plain'); fixed = load('bench-kafkajs-fixed')
bl = {r['level']: r for r in base['levels']}; fl = {r['level']: r for r in fixed['levels']}
print('| client | lanes | events/s | ×kafkajs-plain | ×kafkajs-fixed | p50 ms | p99 ms | CPU ms / 1k events | acked missing (whole run) | send errors (whole run) |')
print('|---|---|---|---|---|---|---|---|---|---|')
for c in ['kafkajs-plain', 'kafkajs-fixed', 'platformatic', 'platformatic-fixed', 'confluent', 'confluent-linger0']:
    d = load(f'bench-{c}')
    if not d: continue
    nerr = sum(d['errors'].values())
    for r in d['levels']:
        b = bl[r['level']]['eventsPerS']; f = fl[r['level']]['eventsPerS']
        ratio = lambda x, y: f"{x / y:.2f}" if y else '—'
        print(f"| {c} | {r['level']} | {r['eventsPerS']:.0f} | {ratio(r['eventsPerS'], b)} | {ratio(r['eventsPerS'], f)} | {r['p50Ms'] if r['p50Ms'] is not None else '—'} | {r['p99Ms'] if r['p99Ms'] is not None else '—'} | {r['cpuMsPer1kEvents'] if r['cpuMsPer1kEvents'] is not None else '—'} | {d['verify']['ackedMissingFromTopic']} of {d['verify']['acked']} | {nerr} |")
