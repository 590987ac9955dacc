// One widget's page: follow the console's event stream, draw each frame.
// State lives in the console: a lost stream clears the page and reconnects,
// so nothing stale stays on the stream. Text goes in with textContent only.
(() => {
  'use strict';
  const widget = document.body.dataset.widget;
  const params = new URLSearchParams(location.search);
  const token = params.get('token') || '';
  const root = document.getElementById('root');
  const style = document.documentElement.style;
  const HEX = /^([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
  const COLOURS = ['text', 'dim', 'accent', 'green', 'yellow', 'red', 'overtime', 'toy',
    'success', 'panel', 'primary', 'secondary', 'background', 'game-text'];
  const overridden = new Set();
  for (const name of COLOURS) {
    const value = params.get(name);
    if (value && HEX.test(value)) {
      style.setProperty('--' + name, '#' + value);
      overridden.add(name);
    } else if (value === 'none') {
      style.setProperty('--' + name, 'transparent');
      overridden.add(name);
    }
  }
  const scale = Number(params.get('scale'));
  if (scale > 0 && scale <= 4) style.setProperty('--scale', String(scale));
  const shown = Math.min(20, Math.max(1, parseInt(params.get('n') || '5', 10) || 5));

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function badge(entry) {
    const out = [];
    if (entry.toy) out.push(el('span', 'badge toy', 'TOY'));
    if (entry.game) out.push(el('span', 'badge ' + entry.game, entry.game === 'wheel' ? 'WHEEL' : 'SLOT'));
    return out;
  }
  function clock(ms) {
    const s = Math.ceil(ms / 1000);
    return String(Math.floor(s / 60)).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
  }
  function panel(title, count) {
    const box = el('section', 'panel');
    const head = el('header', null, title);
    if (count !== undefined) head.append(el('span', 'count', String(count)));
    box.append(head);
    return box;
  }

  function queue(v) {
    const box = panel('Queue', v.count);
    const list = el('ol');
    for (const entry of v.items.slice(0, shown)) {
      const li = el('li');
      li.dataset.position = entry.position;
      li.append(el('span', 'pos', '#' + entry.position), el('span', 'name', entry.name),
        el('span', 'title', entry.title), ...badge(entry));
      list.append(li);
    }
    if (!v.items.length) list.append(el('li', 'empty', 'Nothing waiting'));
    box.append(list);
    root.replaceChildren(box);
  }

  function stage(v) {
    const box = panel('On stage');
    const s = v.onStage;
    if (!s) {
      box.append(el('div', 'idle', 'Next up soon'));
      root.replaceChildren(box);
      return;
    }
    box.dataset.phase = s.phase;
    const who = el('div', 'who');
    who.append(el('span', 'name', s.name), document.createTextNode(' \u00b7 '),
      el('span', 'title', s.title), ...badge(s));
    const bar = el('div', 'bar');
    const fill = el('div', 'fill');
    const left = s.overtime ? 1 : s.remainingMs / Math.max(1, s.durationMs);
    fill.style.width = (left * 100).toFixed(2) + '%';
    bar.append(fill);
    const line = el('div', 'line');
    const time = el('span', 'time', s.overtime ? '+' + clock(s.remainingMs) + ' overtime'
      : clock(s.remainingMs) + ' left');
    time.dataset.ms = s.remainingMs;
    line.append(el('span', 'phase', s.phase), time);
    box.append(who, bar, line);
    if (s.toyNext.length) box.append(el('div', 'next', 'toy ' + s.toyNext.join(' \u00b7 ')));
    // Keep the old bar for a moment so its width animates to the new one.
    const old = root.querySelector('.fill');
    const oldPanel = root.querySelector('.panel');
    if (old && oldPanel && oldPanel.dataset.phase === s.phase) {
      fill.style.width = old.style.width;
      requestAnimationFrame(() => { fill.style.width = (left * 100).toFixed(2) + '%'; });
    }
    root.replaceChildren(box);
  }

  function toy(v) {
    const box = panel('Toy');
    if (v.halted) box.append(el('div', 'halted', 'STOPPED'));
    for (const t of v.toys) {
      const row = el('div', 'row');
      row.dataset.level = t.level;
      const meter = el('div', 'meter');
      const fill = el('div');
      fill.style.width = (100 * t.level / v.max).toFixed(1) + '%';
      meter.append(fill);
      row.append(el('span', 'label', t.label), meter, el('span', 'level', String(t.level)));
      box.append(row);
      // A toy with several outputs: a bar for each, in its own range.
      for (const o of t.outputs) {
        const out = el('div', 'row output');
        out.dataset.level = o.level;
        const m = el('div', 'meter');
        const f = el('div');
        f.style.width = (100 * o.level / Math.max(1, o.max)).toFixed(1) + '%';
        m.append(f);
        const value = o.max === v.max ? String(o.level) : o.level + '/' + o.max;
        out.append(el('span', 'label', o.name), m, el('span', 'level', value));
        box.append(out);
      }
    }
    if (!v.toys.length) box.append(el('div', 'empty', 'no toy connected'));
    root.replaceChildren(box);
  }

  function events(v) {
    const list = el('ul');
    for (const e of v.events) {
      const li = el('li');
      li.dataset.kind = e.kind;
      li.dataset.seq = e.seq;
      // The fade runs on the console's clock: a reload resumes it.
      li.style.animationDelay = (-e.ageMs / 1000).toFixed(2) + 's';
      li.append(el('span', 'kind', e.kind === 'winner' ? 'winner' : 'purchase'), el('span', 'name', e.name),
        document.createTextNode(e.kind === 'winner' ? ' won ' : ' bought '), el('span', 'title', e.title),
        ...badge(e));
      list.append(li);
    }
    root.replaceChildren(list);
  }

  function gameColours(v) {
    const map = { primary: v.colours.primary, secondary: v.colours.secondary,
      background: v.colours.background, 'game-text': v.colours.text };
    for (const [name, value] of Object.entries(map)) {
      if (value && !overridden.has(name) && /^#[0-9a-f]{6}$/i.test(value)) style.setProperty('--' + name, value);
    }
  }
  function caption(spin, landed) {
    const box = el('div', 'caption panel');
    if (!spin) return box;
    const won = el('div', 'won');
    if (landed) won.append(el('span', 'name', spin.name), document.createTextNode(' won '), el('span', 'title', spin.title));
    else won.append(el('span', 'name', spin.name), document.createTextNode(' spins\u2026'));
    box.append(won, el('div', 'proof', 'commitment ' + spin.commitment), el('div', 'proof', spin.verify));
    return box;
  }

  const SVG = 'http://www.w3.org/2000/svg';
  let wheelTurn = 0;
  let animated = null;
  function wheel(v) {
    gameColours(v);
    const n = Math.max(1, v.segments.length);
    const seg = 360 / n;
    const box = el('div', 'stagebox');
    const disc = document.createElementNS(SVG, 'svg');
    disc.setAttribute('class', 'disc');
    disc.setAttribute('viewBox', '-260 -260 520 520');
    v.segments.forEach((s, i) => {
      const a0 = (i * seg - 90) * Math.PI / 180;
      const a1 = ((i + 1) * seg - 90) * Math.PI / 180;
      const path = document.createElementNS(SVG, 'path');
      const r = 250;
      path.setAttribute('d', `M0 0 L${r * Math.cos(a0)} ${r * Math.sin(a0)} A${r} ${r} 0 ${seg > 180 ? 1 : 0} 1 ${r * Math.cos(a1)} ${r * Math.sin(a1)} Z`);
      path.setAttribute('fill', i % 2 ? 'var(--secondary)' : 'var(--primary)');
      path.setAttribute('stroke', 'var(--background)');
      path.setAttribute('stroke-width', '3');
      path.dataset.prize = s.prize;
      path.dataset.index = i;
      const label = document.createElementNS(SVG, 'text');
      const mid = i * seg + seg / 2;
      label.setAttribute('transform', `rotate(${mid - 90}) translate(140 7)`);
      label.setAttribute('text-anchor', 'middle');
      label.textContent = s.title.length > 14 ? s.title.slice(0, 13) + '\u2026' : s.title;
      disc.append(path, label);
    });
    box.append(disc, el('div', 'pointer'));
    const spin = v.spin;
    const fresh = spin && spin.fresh && animated !== spin.spinId;
    if (spin) {
      // Land the drawn segment's middle under the pointer at the top.
      const target = -(spin.landing + 0.5) * seg;
      const base = Math.ceil((wheelTurn - target) / 360) * 360 + target;
      wheelTurn = fresh ? base + 360 * 5 : (animated === spin.spinId ? wheelTurn : base);
    }
    root.dataset.rotation = wheelTurn;
    root.dataset.segments = n;
    const old = root.querySelector('svg.disc');
    const from = old ? old.style.transform : 'rotate(0deg)';
    disc.style.transform = fresh ? from : `rotate(${wheelTurn}deg)`;
    if (!fresh) disc.style.transition = 'none';
    root.replaceChildren(box, caption(spin, !fresh || !spin));
    if (fresh) {
      animated = spin.spinId;
      root.dataset.landed = '';
      requestAnimationFrame(() => requestAnimationFrame(() => { disc.style.transform = `rotate(${wheelTurn}deg)`; }));
      disc.addEventListener('transitionend', () => {
        root.dataset.landed = spin.prize;
        root.replaceChildren(box, caption(spin, true));
      }, { once: true });
    } else if (spin) {
      animated = spin.spinId;
      root.dataset.landed = spin.prize;
    }
  }

  let slotTimer = null;
  function slot(v) {
    gameColours(v);
    const spin = v.spin;
    const machine = el('div', 'machine');
    const reels = [0, 1, 2].map(() => el('div', 'reel', spin ? spin.title : '\u2605'));
    machine.append(...reels);
    const fresh = spin && spin.fresh && animated !== spin.spinId;
    if (fresh) {
      animated = spin.spinId;
      root.dataset.landed = '';
      clearInterval(slotTimer);
      const titles = v.segments.map(s => s.title);
      const started = Date.now();
      reels.forEach(r => r.classList.add('spinning'));
      let tick = 0;
      slotTimer = setInterval(() => {
        tick++;
        const elapsed = Date.now() - started;
        reels.forEach((reel, i) => {
          if (elapsed < 1500 + i * 700) reel.textContent = titles[(tick + i * 3) % titles.length] || '\u2605';
          else { reel.textContent = spin.title; reel.classList.remove('spinning'); }
        });
        if (elapsed >= 1500 + 2 * 700) {
          clearInterval(slotTimer);
          root.dataset.landed = spin.prize;
          root.replaceChildren(machine, caption(spin, true));
        }
      }, 80);
      root.replaceChildren(machine, caption(spin, false));
      return;
    }
    if (slotTimer && spin && animated === spin.spinId && root.dataset.landed === '') return;
    if (spin) { animated = spin.spinId; root.dataset.landed = spin.prize; }
    root.replaceChildren(machine, caption(spin, true));
  }

  // The toy lane: the running tip with its countdown (a frame a second
  // while it runs), then the tips after it.
  function lane(v) {
    const box = panel('Toy lane', v.waiting + (v.running ? 1 : 0));
    if (v.paused) box.append(el('div', 'paused', 'PAUSED'));
    const r = v.running;
    if (r) {
      const now = el('div', 'now');
      now.append(el('span', 'name', r.name), document.createTextNode(' \u00b7 '), el('span', 'label', r.label));
      const bar = el('div', 'bar');
      const fill = el('div', 'fill');
      fill.style.width = (100 * r.remainingMs / Math.max(1, r.durationMs)).toFixed(2) + '%';
      bar.append(fill);
      const time = el('span', 'time', clock(r.remainingMs) + ' left');
      time.dataset.ms = r.remainingMs;
      box.append(now, bar, time);
    } else {
      box.append(el('div', 'idle', v.paused ? 'Tips wait until the performer resumes' : 'Tip to make the toy move'));
    }
    const list = el('ol');
    for (const t of v.next.slice(0, shown)) {
      const li = el('li');
      li.dataset.position = t.position;
      li.append(el('span', 'pos', '#' + t.position), el('span', 'name', t.name),
        el('span', 'label', t.label), el('span', 'secs', Math.ceil(t.remainingMs / 1000) + ' s'));
      list.append(li);
    }
    if (v.next.length) box.append(list);
    root.replaceChildren(box);
  }

  // The tip levels board: what each tip does, then the exact amounts.
  function levels(v) {
    const box = panel('Tip menu');
    const table = el('table', 'ladder');
    for (const l of v.levels) {
      const tr = el('tr');
      tr.dataset.range = l.range;
      const meter = el('td', 'strength');
      const fill = el('div');
      fill.style.width = (100 * l.strength / 20).toFixed(1) + '%';
      meter.append(fill);
      tr.append(el('td', 'range', l.range), el('td', 'word', l.word), meter,
        el('td', 'secs', l.durationS + ' s' + (l.pattern ? ' \u00b7 ' + l.pattern : '')));
      table.append(tr);
    }
    if (!v.levels.length && !v.specials.length) box.append(el('div', 'idle', 'No tip levels yet'));
    else box.append(table);
    if (v.specials.length) {
      box.append(el('header', 'sub', 'Specials'));
      const specials = el('table', 'specials');
      for (const s of v.specials) {
        const tr = el('tr');
        tr.dataset.amount = s.amount;
        tr.append(el('td', 'range', String(s.amount)), el('td', 'word', s.label), el('td', 'secs', s.what));
        specials.append(tr);
      }
      box.append(specials);
    }
    root.replaceChildren(box);
  }

  const draw = { queue, stage, toy, events, wheel, slot, lane, levels }[widget];
  let source = null;
  let heard = 0;
  let retry = null;
  function clear() {
    root.replaceChildren();
    root.dataset.state = 'offline';
  }
  function connect() {
    clear();
    heard = Date.now();
    source = new EventSource(`/overlay/${widget}/feed?token=${encodeURIComponent(token)}`);
    source.addEventListener('frame', (event) => {
      heard = Date.now();
      let view;
      try { view = JSON.parse(event.data); } catch (_) { return; }
      if (!view.live) { clear(); return; }
      root.dataset.state = 'live';
      draw(view);
    });
    source.addEventListener('ping', () => { heard = Date.now(); });
    source.onerror = reconnect;
  }
  function reconnect() {
    if (source) source.close();
    source = null;
    clear();
    clearTimeout(retry);
    retry = setTimeout(connect, 1000);
  }
  // Silence longer than two pings: the console is gone; start again.
  setInterval(() => { if (source && Date.now() - heard > 5000) reconnect(); }, 1000);
  connect();
})();
