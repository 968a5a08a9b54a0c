// talkreel's dashboard: plain script, no build step. Everything a job says is shown with textContent, never as
// HTML, and the page's Content-Security-Policy runs no inline script: a script in a job's text stays text.
'use strict';

// the video's length and the speaking rate the API checks scripts against (talkreel.video.seconds,
// talkreel.script.words-per-second in config/application.properties)
const VIDEO_SECONDS = 8;
const WORDS_PER_SECOND = 2.5;
// the steps' players: which element shows the artifact of which step
const PLAYERS = { audio: 'reference', voice: 'voice', portrait: 'portrait', video: 'video' };
const TERMINAL = ['done', 'failed', 'cancelled'];

const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem('talkreel.token') || '', selected: null, job: null,
  progress: {}, loaded: {}, urls: [], jobStream: null, allStream: null, refetch: null };

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (state.token) h.Authorization = 'Bearer ' + state.token;
  return h;
}

async function api(method, path, body) {
  const init = { method, headers: headers(body ? { 'Content-Type': 'application/json' } : {}) };
  if (body) init.body = JSON.stringify(body);
  const r = await fetch(path, init);
  let json = null;
  try { json = await r.json(); } catch (e) { json = null; }
  return { status: r.status, json };
}

function withToken(path) {
  return state.token ? path + '?token=' + encodeURIComponent(state.token) : path;
}

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value == null ? '' : String(value);
  if (cls) el.className = cls;
  return el;
}

function words(s) {
  const t = s.trim();
  return t ? t.split(/\s+/).length : 0;
}

function showEstimate() {
  const n = words($('script').value);
  const seconds = n / WORDS_PER_SECOND;
  const el = $('estimate');
  el.textContent = n + ' word' + (n === 1 ? '' : 's') + ': about ' + seconds.toFixed(1) + ' s of speech (the video lasts '
    + VIDEO_SECONDS + ' s' + (seconds > VIDEO_SECONDS ? '; too long, keep it to about '
    + Math.floor(VIDEO_SECONDS * WORDS_PER_SECOND) + ' words' : '') + ')';
  el.classList.toggle('over', seconds > VIDEO_SECONDS);
}

function message(value, isError) {
  $('message').textContent = value;
  $('message').className = 'message' + (isError ? ' error' : '');
}

async function submitJob(event) {
  event.preventDefault();
  const job = { youtube_url: $('url').value.trim(), script: $('script').value };
  if ($('prompt').value.trim()) job.portrait_prompt = $('prompt').value.trim();
  const r = await api('POST', '/api/jobs', job);
  if (r.status === 202 || r.status === 200) {
    message('Job ' + r.json.job_id + ' accepted.', false);
    await loadJobs();
    select(r.json.job_id);
  } else if (r.json && r.json.errors) {
    message(r.json.errors.map((e) => e.field + ': ' + e.message).join('; '), true);
  } else {
    message('Refused (' + r.status + '): ' + ((r.json && (r.json.message || r.json.error)) || 'no reason given'), true);
  }
}

async function loadJobs() {
  const r = await api('GET', '/api/jobs?limit=50');
  const body = $('jobs').tBodies[0];
  if (r.status !== 200) {
    body.replaceChildren(row(['could not list the jobs (' + r.status + ')']));
    return;
  }
  body.replaceChildren(...r.json.jobs.map((j) => {
    const tr = row([j.job_id, j.status, j.current_step || '', j.created]);
    tr.dataset.jobId = j.job_id;
    tr.children[1].className = 'status st-' + j.status;
    tr.classList.toggle('selected', j.job_id === state.selected);
    tr.addEventListener('click', () => select(j.job_id));
    return tr;
  }));
}

function row(cells) {
  const tr = document.createElement('tr');
  cells.forEach((c) => tr.appendChild(text('td', c)));
  return tr;
}

function select(id) {
  if (state.jobStream) state.jobStream.close();
  state.urls.forEach((u) => URL.revokeObjectURL(u));
  Object.assign(state, { selected: id, job: null, progress: {}, loaded: {}, urls: [] });
  Object.values(PLAYERS).forEach((p) => $(p).removeAttribute('src'));
  for (const tr of $('jobs').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.jobId === id);
  $('job').hidden = false;
  $('job-id').textContent = id;
  // the stream starts with the job's state, then every event: nothing that happened before is missed
  const stream = new EventSource(withToken('/api/jobs/' + encodeURIComponent(id) + '/events'));
  state.jobStream = stream;
  stream.addEventListener('job', (e) => { if (state.selected === id) render(JSON.parse(e.data)); });
  stream.addEventListener('step', (e) => onStep(id, JSON.parse(e.data)));
  stream.addEventListener('progress', (e) => onProgress(id, JSON.parse(e.data)));
  ['status', 'result', 'action'].forEach((t) => stream.addEventListener(t, () => refetchSoon(id)));
}

function onStep(id, ev) {
  if (state.selected !== id || !state.job) return;
  const s = state.job.steps[ev.step] || (state.job.steps[ev.step] = {});
  s.state = ev.state;
  s.attempt = ev.attempt;
  if (ev.elapsed_ms != null) s.elapsed_ms = ev.elapsed_ms;
  s.error = ev.error ? { error_class: ev.error_class, message: ev.error } : null;
  if (ev.state === 'running') delete state.progress[ev.step];
  render(state.job);
  refetchSoon(id);
}

function onProgress(id, ev) {
  if (state.selected !== id) return;
  state.progress[ev.step] = ev.facts;
  if (state.job) render(state.job);
}

// the events say what changed; the record has the rest (times, the result): read it once things settle
function refetchSoon(id) {
  clearTimeout(state.refetch);
  state.refetch = setTimeout(async () => {
    const r = await api('GET', '/api/jobs/' + encodeURIComponent(id));
    if (r.status === 200 && state.selected === id) render(r.json);
    loadJobs();
  }, 150);
}

function duration(s) {
  if (s.elapsed_ms != null) return (s.elapsed_ms / 1000).toFixed(1) + ' s';
  if (s.state === 'running' && s.started) return ((Date.now() - Date.parse(s.started)) / 1000).toFixed(0) + ' s so far';
  return '';
}

function progressText(facts) {
  if (!facts) return '';
  if (facts.progress != null) return 'progress ' + facts.progress + (typeof facts.progress === 'number' ? '%' : '');
  return Object.entries(facts).map(([k, v]) => k + ': ' + (typeof v === 'object' ? JSON.stringify(v) : v)).join(', ');
}

function render(job) {
  state.job = job;
  $('job-status').textContent = job.status;
  $('job-status').className = 'status st-' + job.status;
  const est = job.estimated_seconds_to_done;
  $('job-estimate').textContent = TERMINAL.includes(job.status) ? ''
    : est == null ? 'time to done: not known yet' : 'about ' + est + ' s to done';
  $('job-script').textContent = job.input ? job.input.script : '';
  $('job-error').textContent = job.error ? job.error.error_class + ': ' + job.error.message : '';
  $('retry').disabled = !(job.status === 'failed' || job.status === 'cancelled');
  $('cancel').disabled = TERMINAL.includes(job.status);
  const body = $('timeline').tBodies[0];
  body.replaceChildren(...Object.entries(job.steps).map(([name, s]) => {
    const detail = s.error ? s.error.error_class + ': ' + s.error.message
      : s.state === 'running' ? progressText(state.progress[name]) : '';
    const tr = row([name, s.state, s.attempt || 0, duration(s), detail]);
    tr.dataset.step = name;
    tr.children[1].className = 'state st-' + s.state;
    if (s.error) tr.children[4].className = 'error';
    if (s.state === 'done') loadArtifact(job.job_id, name);
    return tr;
  }));
}

// artifacts are fetched with the token in the header, then shown from memory (a player cannot send headers)
async function loadArtifact(id, step) {
  const player = PLAYERS[step];
  if (!player || state.loaded[step]) return;
  state.loaded[step] = true;
  const r = await fetch('/api/jobs/' + encodeURIComponent(id) + '/artifacts/' + encodeURIComponent(step),
    { headers: headers() });
  if (!r.ok || state.selected !== id) {
    state.loaded[step] = false;
    return;
  }
  const url = URL.createObjectURL(await r.blob());
  state.urls.push(url);
  $(player).src = url;
}

async function act(method, suffix) {
  const id = state.selected;
  const r = await api(method, '/api/jobs/' + encodeURIComponent(id) + suffix);
  if (r.status >= 300) {
    $('job-error').textContent = (r.json && r.json.error) || 'refused (' + r.status + ')';
    return;
  }
  if (method === 'POST') {
    // a retry runs the missing steps again: their players are filled again when they are done
    state.loaded = {};
  }
  render(r.json);
  refetchSoon(id);
}

function listen() {
  if (state.allStream) state.allStream.close();
  const stream = new EventSource(withToken('/api/events'));
  state.allStream = stream;
  stream.onopen = () => { $('live').textContent = 'live'; $('live').classList.remove('off'); };
  stream.onerror = () => { $('live').textContent = 'reconnecting'; $('live').classList.add('off'); };
  ['status', 'action'].forEach((t) => stream.addEventListener(t, () => {
    clearTimeout(state.listRefresh);
    state.listRefresh = setTimeout(loadJobs, 200);
  }));
}

function init() {
  $('token').value = state.token;
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.token = $('token').value.trim();
    sessionStorage.setItem('talkreel.token', state.token);
    loadJobs();
    listen();
    if (state.selected) select(state.selected);
  });
  $('script').addEventListener('input', showEstimate);
  $('job-form').addEventListener('submit', submitJob);
  $('refresh').addEventListener('click', loadJobs);
  $('retry').addEventListener('click', () => act('POST', '/retry'));
  $('cancel').addEventListener('click', () => act('DELETE', ''));
  // the running steps' durations count up
  setInterval(() => { if (state.job && !TERMINAL.includes(state.job.status)) render(state.job); }, 1000);
  showEstimate();
  loadJobs();
  listen();
}

document.addEventListener('DOMContentLoaded', init);
