// Ferry's web page: contacts, 1:1 conversations (with their files) and groups of the node that
// serves it, kept live by the API's event stream. Plain DOM code; every text that came from the
// network goes in through textContent, never innerHTML.
'use strict';

(() => {
  const API = '/api/v1';
  const TOKEN_KEY = 'ferry.apiToken';
  /** Messages fetched per page of a conversation. */
  const PAGE_SIZE = 50;
  /** How often the header's peer counts and the group list (invites have no event) are refreshed. */
  const REFRESH_MS = 10_000;
  /** Event stream reconnection: first wait, and the longest, doubling in between. */
  const RECONNECT_FIRST_MS = 1_000;
  const RECONNECT_MAX_MS = 30_000;
  /** One event is a message of at most 64 KiB as JSON; anything far larger means a broken stream. */
  const MAX_EVENT_CHARS = 1024 * 1024;
  /** The composer grows with its text up to this height. */
  const COMPOSER_MAX_PX = 200;
  /** The node's largest file (POST /files refuses more): checked here, so that nothing is uploaded in vain. */
  const MAX_FILE_BYTES = 64 * 1024 * 1024;
  /** How long a downloaded file's object URL is kept: long enough for the browser to start saving it. */
  const DOWNLOAD_URL_MS = 60_000;
  /** Delivery states only move forward; an older answer must not undo a newer event. */
  const STATE_RANK = { queued: 0, stored: 1, delivered: 2, expired: 2 };

  const $ = (id) => document.getElementById(id);

  const state = {
    token: null,
    me: null,
    contacts: [],
    conversations: [],
    groups: [],
    /** The open conversation: { kind: 'peer' | 'group', id, cursor, first, positions, generation }. */
    open: null,
    /** Latest known delivery state of each message this node sent, by envelope id. */
    deliveries: new Map(),
    /** Conversations with messages the user has not looked at: 'peer:ID' and 'group:ID'. */
    unread: new Set(),
    events: null,
    refreshTimer: null,
    generation: 0,
  };

  // ------------------------------------------------------------------ small helpers

  /** An element with text and attributes; children appended in order. Text is always textContent. */
  function el(tag, options = {}, children = []) {
    const node = document.createElement(tag);
    if (options.className) node.className = options.className;
    if (options.text !== undefined) node.textContent = options.text;
    for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
    for (const child of children) if (child) node.append(child);
    return node;
  }

  /** A PeerId short enough for a list: they all start alike, so the end tells them apart. */
  function shortPeer(peerId) {
    return peerId.length > 16 ? peerId.slice(0, 6) + '…' + peerId.slice(-6) : peerId;
  }

  function contactOf(peerId) {
    return state.contacts.find((c) => c.peerId === peerId);
  }

  function nameOf(peerId) {
    if (peerId === state.me) return 'you';
    const contact = contactOf(peerId);
    return contact ? contact.name : shortPeer(peerId);
  }

  function keyOf(kind, id) {
    return kind + ':' + id;
  }

  function formatTime(iso) {
    const at = new Date(iso);
    const today = new Date().toDateString() === at.toDateString();
    return today
      ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : at.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  /** A size in binary units, as the node's limits are written (64 MiB). */
  function formatSize(bytes) {
    if (bytes < 1024) return bytes + ' B';
    const units = ['KiB', 'MiB', 'GiB'];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (value >= 100 ? value.toFixed(0) : value.toFixed(1)) + ' ' + units[unit];
  }

  function showError(id, message) {
    $(id).textContent = message || '';
  }

  // ------------------------------------------------------------------ the token

  /** A token in the fragment wins (it came from `ferry web`); it moves to session storage and off the address bar. */
  function takeTokenFromFragment() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const token = fragment.get('token');
    if (fragment.has('token')) history.replaceState(null, '', location.pathname + location.search);
    if (token) sessionStorage.setItem(TOKEN_KEY, token.trim());
  }

  /** Shows the token form; `forget` drops the stored token (when the node refused it). */
  function askForToken(reason, forget = true) {
    stop();
    if (forget) {
      sessionStorage.removeItem(TOKEN_KEY);
      state.token = null;
    }
    $('app').hidden = true;
    $('token-gate').hidden = false;
    $('token-reason').textContent = reason;
    $('token-input').value = '';
    $('token-input').focus();
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** One API call; a refused token sends the user back to the token form. */
  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + state.token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(API + path, {
        method, headers, cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'the node does not answer');
    }
    if (response.status === 401) {
      askForToken('The node refused the token. Enter the current one.');
      throw new ApiError(401, 'the node refused the token');
    }
    const text = await response.text();
    return parseAnswer(response.status, response.ok, text);
  }

  /** The node's JSON answer, or an ApiError with its one-line reason. */
  function parseAnswer(status, ok, text) {
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (e) {
      throw new ApiError(status, 'the node answered something that is not JSON');
    }
    if (!ok) throw new ApiError(status, (json && json.error) || 'HTTP ' + status);
    return json;
  }

  // ------------------------------------------------------------------ start and stop

  async function start() {
    state.token = sessionStorage.getItem(TOKEN_KEY);
    if (!state.token) {
      askForToken('This page needs the node\'s API token.');
      return;
    }
    let identity;
    try {
      identity = await api('GET', '/identity');
    } catch (e) {
      // keep the token: the node may only be restarting
      if (e.status !== 401) askForToken('Cannot reach the node: ' + e.message + '. Reload to try again, or enter another token.', false);
      return;
    }
    state.me = identity.peerId;
    $('token-gate').hidden = true;
    $('app').hidden = false;
    $('me-peer-id').textContent = state.me;
    await Promise.all([loadContacts(), loadConversations(), loadGroups(), refreshStatus()]);
    renderSidebar();
    state.events = connectEvents();
    state.refreshTimer = setInterval(periodicRefresh, REFRESH_MS);
  }

  function stop() {
    if (state.events) state.events.close();
    state.events = null;
    clearInterval(state.refreshTimer);
    state.refreshTimer = null;
  }

  async function periodicRefresh() {
    try {
      const before = JSON.stringify(state.groups);
      await Promise.all([refreshStatus(), loadGroups()]);
      if (JSON.stringify(state.groups) !== before) {
        renderSidebar();
        if (state.open && state.open.kind === 'group') renderConversationHeader();
      }
    } catch (e) {
      // the header says offline once the event stream drops; nothing more to tell here
    }
  }

  // ------------------------------------------------------------------ sidebar

  async function loadContacts() {
    state.contacts = await api('GET', '/contacts');
    state.contacts.sort((a, b) => a.name.localeCompare(b.name));
  }

  async function loadConversations() {
    state.conversations = await api('GET', '/conversations');
  }

  async function loadGroups() {
    state.groups = (await api('GET', '/groups')).filter((g) => g.status !== 'left');
    state.groups.sort((a, b) => a.name.localeCompare(b.name));
  }

  async function refreshStatus() {
    const s = await api('GET', '/status');
    $('node-status').textContent = s.connectedPeers + (s.connectedPeers === 1 ? ' peer' : ' peers')
      + ' · routing table ' + s.routingTablePeers;
  }

  function chatItem(kind, id, title, subtitle) {
    const key = keyOf(kind, id);
    const button = el('button', { className: 'chat-item', attrs: { type: 'button', 'data-kind': kind, 'data-id': id } }, [
      el('span', { className: 'chat-title', text: title }),
      el('span', { className: 'chat-subtitle', text: subtitle }),
      state.unread.has(key) ? el('span', { className: 'unread-dot', attrs: { 'aria-label': 'new messages' } }) : null,
    ]);
    if (state.open && state.open.kind === kind && state.open.id === id) button.classList.add('active');
    button.addEventListener('click', () => openConversation(kind, id));
    return el('li', {}, [button]);
  }

  function renderSidebar() {
    $('contact-list').replaceChildren(...state.contacts.map((c) => chatItem('peer', c.peerId, c.name, shortPeer(c.peerId))));
    if (state.contacts.length === 0) $('contact-list').append(el('li', { className: 'placeholder', text: 'No contacts yet' }));

    const others = state.conversations.filter((c) => !contactOf(c.peerId));
    $('others-section').hidden = others.length === 0;
    $('other-list').replaceChildren(...others.map((c) => chatItem('peer', c.peerId, shortPeer(c.peerId), 'not a contact')));

    $('group-list').replaceChildren(...state.groups.map((g) => chatItem('group', g.id, g.name,
      g.members.length + (g.members.length === 1 ? ' member' : ' members'))));
    if (state.groups.length === 0) $('group-list').append(el('li', { className: 'placeholder', text: 'No groups yet' }));
  }

  $('add-contact-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('add-contact-error', '');
    const name = $('contact-name').value.trim();
    const peerId = $('contact-peer-id').value.trim();
    $('add-contact-button').disabled = true;
    try {
      const contact = await api('POST', '/contacts', { name, peerId });
      $('add-contact-form').reset();
      $('add-contact').open = false;
      await loadContacts();
      renderSidebar();
      openConversation('peer', contact.peerId);
    } catch (e) {
      showError('add-contact-error', e.message);
    } finally {
      $('add-contact-button').disabled = false;
    }
  });

  $('new-group-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('new-group-error', '');
    $('new-group-button').disabled = true;
    try {
      const group = await api('POST', '/groups', { name: $('group-name').value.trim() });
      $('new-group-form').reset();
      $('new-group').open = false;
      await loadGroups();
      renderSidebar();
      openConversation('group', group.id);
    } catch (e) {
      showError('new-group-error', e.message);
    } finally {
      $('new-group-button').disabled = false;
    }
  });

  $('copy-peer-id').addEventListener('click', async () => {
    const button = $('copy-peer-id');
    try {
      await navigator.clipboard.writeText(state.me);
      button.textContent = 'Copied';
    } catch (e) {
      // no clipboard permission: select it, so that the user can copy it by hand
      getSelection().selectAllChildren($('me-peer-id'));
      button.textContent = 'Selected';
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });

  // ------------------------------------------------------------------ the open conversation

  function messagesPath(kind, id) {
    return kind === 'peer'
      ? '/conversations/' + encodeURIComponent(id) + '/messages'
      : '/groups/' + encodeURIComponent(id) + '/messages';
  }

  function lastPositionOf(kind, id) {
    const list = kind === 'peer' ? state.conversations.map((c) => [c.peerId, c.lastPosition])
      : state.groups.map((g) => [g.id, g.lastPosition]);
    const found = list.find(([key]) => key === id);
    return found ? found[1] : 0;
  }

  async function openConversation(kind, id) {
    state.generation += 1;
    state.open = { kind, id, cursor: 0, first: 0, positions: new Set(), generation: state.generation, fetching: null };
    state.unread.delete(keyOf(kind, id));
    renderSidebar();
    $('empty-state').hidden = true;
    $('conversation-view').hidden = false;
    $('messages').replaceChildren();
    showError('conversation-error', '');
    renderConversationHeader();
    // start at the last page: positions count 1, 2, 3... in each conversation
    const open = state.open;
    try {
      if (kind === 'peer') await loadConversations();
      else await loadGroups();
      open.cursor = Math.max(0, lastPositionOf(kind, id) - PAGE_SIZE);
      open.first = open.cursor + 1;
      await loadNewer();
    } catch (e) {
      if (open === state.open) showError('conversation-error', 'Cannot load messages: ' + e.message);
    }
    $('composer-text').focus();
  }

  function renderConversationHeader() {
    const open = state.open;
    if (open.kind === 'peer') {
      const contact = contactOf(open.id);
      $('conversation-title').textContent = contact ? contact.name : shortPeer(open.id);
      $('conversation-subtitle').textContent = open.id;
      $('group-actions').hidden = true;
      $('file-button').hidden = false;
      return;
    }
    $('file-button').hidden = true;
    const group = state.groups.find((g) => g.id === open.id);
    if (!group) return;
    $('conversation-title').textContent = group.name;
    $('conversation-subtitle').textContent = group.members.map(nameOf).join(', ');
    $('group-actions').hidden = false;
    // the owner signs the member list, so only the owner can invite, and only contacts not in it yet
    const candidates = state.contacts.filter((c) => !group.members.includes(c.peerId));
    $('invite-form').hidden = !group.isOwner || candidates.length === 0;
    $('invite-select').replaceChildren(...candidates.map((c) => el('option', { text: c.name, attrs: { value: c.peerId } })));
    $('invite-button').disabled = false;
  }

  /** Appends what came after the cursor; one fetch at a time, so that nothing shows twice. */
  function loadNewer() {
    const open = state.open;
    if (!open) return Promise.resolve();
    // A run that has not started yet fetches everything after the cursor when it does: join it
    // (a file's pieces each bring a delivery event, and each event asks for the newer messages).
    if (open.waiting) return open.waiting;
    const run = async () => {
      open.waiting = null;
      for (;;) {
        const page = await api('GET', messagesPath(open.kind, open.id) + '?after=' + open.cursor + '&limit=' + PAGE_SIZE);
        if (open !== state.open) return;
        appendMessages(page.messages);
        open.cursor = page.next;
        if (page.messages.length < PAGE_SIZE) return;
      }
    };
    open.fetching = (open.fetching || Promise.resolve()).then(run, run);
    open.waiting = open.fetching;
    return open.fetching;
  }

  /** Prepends the page before the first shown message, keeping what the user looks at in place. */
  async function loadOlder() {
    const open = state.open;
    if (!open || open.loadingOlder || open.first <= 1) return;
    open.loadingOlder = true;
    try {
      const after = Math.max(0, open.first - 1 - PAGE_SIZE);
      const page = await api('GET', messagesPath(open.kind, open.id) + '?after=' + after + '&limit=' + (open.first - 1 - after));
      if (open !== state.open) return;
      const list = $('messages');
      const fromBottom = list.scrollHeight - list.scrollTop;
      const fresh = page.messages.filter((m) => !open.positions.has(m.position));
      fresh.forEach((m) => open.positions.add(m.position));
      list.prepend(...fresh.map(messageItem));
      list.scrollTop = list.scrollHeight - fromBottom;
      open.first = after + 1;
    } catch (e) {
      showError('conversation-error', 'Cannot load older messages: ' + e.message);
    } finally {
      open.loadingOlder = false;
    }
  }

  $('messages').addEventListener('scroll', () => {
    if ($('messages').scrollTop < 40) loadOlder();
  });

  function appendMessages(messages) {
    const open = state.open;
    const list = $('messages');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    for (const m of messages) {
      if (open.positions.has(m.position)) continue;
      open.positions.add(m.position);
      list.append(messageItem(m));
    }
    if (atBottom || messages.some((m) => m.outgoing)) list.scrollTop = list.scrollHeight;
  }

  function messageItem(m) {
    const item = el('li', { className: 'message ' + (m.outgoing ? 'outgoing' : 'incoming') + (m.file ? ' file-message' : ''),
      attrs: { 'data-position': String(m.position) } });
    if (!m.outgoing && m.group) item.append(el('div', { className: 'sender', text: nameOf(m.sender) }));
    if (m.file) {
      item.append(fileCard(m));
    } else {
      const body = m.text !== undefined ? m.text : '(' + m.type.replace('_', ' ') + ' message)';
      item.append(el('div', { className: m.text !== undefined ? 'bubble' : 'bubble other-type', text: body }));
    }
    const meta = el('div', { className: 'meta' }, [
      el('time', { text: formatTime(m.outgoing ? m.sentAt : m.receivedAt), attrs: { datetime: m.outgoing ? m.sentAt : m.receivedAt } }),
    ]);
    if (m.envelope) {
      item.dataset.envelope = m.envelope;
      const badge = el('span', { className: 'badge' });
      meta.append(badge);
      noteDelivery(m.envelope, m.state);
      paintBadge(badge, state.deliveries.get(m.envelope));
    }
    item.append(meta);
    return item;
  }

  /**
   * A file of a 1:1 conversation: its name and size. A received one can be downloaded; this node
   * keeps no copy of one it sent. The name is the sender's: shown, and offered as the download's
   * name, nothing else.
   */
  function fileCard(m) {
    const file = m.file;
    const details = formatSize(file.size) + (file.mediaType ? ' · ' + file.mediaType : '');
    const card = el('div', { className: 'bubble file-card' }, [
      el('span', { className: 'file-icon', attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'file-name', text: file.name, attrs: { title: file.name } }),
      el('span', { className: 'file-details', text: details }),
    ]);
    if (m.outgoing) {
      card.append(el('span', { className: 'file-action file-sent', text: 'sent', attrs: { title: 'Sent from this node, which keeps no copy of it' } }));
    } else {
      const peer = state.open.id;
      const button = el('button', { className: 'file-action small', text: 'Download', attrs: { type: 'button' } });
      button.addEventListener('click', () => download(button, peer, m.position, file.name));
      card.append(button);
    }
    return card;
  }

  // ------------------------------------------------------------------ delivery states

  /** Keeps the furthest state seen for an envelope, whichever answer came first. */
  function noteDelivery(envelope, newState) {
    if (!newState) return;
    const known = state.deliveries.get(envelope);
    if (known === undefined || (STATE_RANK[newState] ?? -1) > (STATE_RANK[known] ?? -1)) state.deliveries.set(envelope, newState);
  }

  function paintBadge(badge, deliveryState) {
    const shown = deliveryState || 'queued';
    badge.textContent = shown;
    badge.dataset.state = shown;
    badge.title = {
      queued: 'In this node\'s outbox: not delivered nor stored for the recipient yet',
      stored: 'Stored on the recipient\'s mailbox holders: it arrives when they come online',
      delivered: 'The recipient\'s node acknowledged it',
      expired: 'It expired before the recipient got it',
    }[shown] || shown;
  }

  function updateDelivery(envelope, newState) {
    noteDelivery(envelope, newState);
    for (const item of $('messages').querySelectorAll('li.message[data-envelope]')) {
      if (item.dataset.envelope === envelope) paintBadge(item.querySelector('.badge'), state.deliveries.get(envelope));
    }
  }

  /** Asks for the state of every message on screen that may still change (events may have been missed). */
  async function refreshOpenDeliveries() {
    const pending = [...$('messages').querySelectorAll('li.message[data-envelope]')]
      .map((item) => item.dataset.envelope)
      .filter((envelope) => !['delivered', 'expired'].includes(state.deliveries.get(envelope)));
    await Promise.all(pending.map(async (envelope) => {
      try {
        const answer = await api('GET', '/messages/' + envelope);
        updateDelivery(envelope, answer.state);
      } catch (e) {
        // it stays as it was; the next event corrects it
      }
    }));
  }

  // ------------------------------------------------------------------ composer

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });

  $('composer-text').addEventListener('keydown', (event) => {
    // Enter sends; Shift+Enter starts a new line
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });

  $('composer-text').addEventListener('input', () => {
    const box = $('composer-text');
    // grow with the text up to a limit, then scroll
    box.style.height = 'auto';
    box.style.height = Math.min(box.scrollHeight, COMPOSER_MAX_PX) + 'px';
    box.style.overflowY = box.scrollHeight > COMPOSER_MAX_PX ? 'auto' : 'hidden';
  });

  async function send() {
    const open = state.open;
    const text = $('composer-text').value;
    if (!open || text.trim() === '' || $('send-button').disabled) return;
    $('send-button').disabled = true;
    showError('conversation-error', '');
    try {
      if (open.kind === 'peer') {
        const sent = await api('POST', '/messages', { to: open.id, text });
        noteDelivery(sent.envelope, sent.state);
      } else {
        await api('POST', '/groups/' + encodeURIComponent(open.id) + '/messages', { text });
      }
      $('composer-text').value = '';
      $('composer-text').dispatchEvent(new Event('input'));
      // the answer has no position: the conversation's next page holds the message
      await loadNewer();
    } catch (e) {
      if (open === state.open) showError('conversation-error', 'Not sent: ' + e.message);
    } finally {
      $('send-button').disabled = false;
    }
  }

  // ------------------------------------------------------------------ files

  /** Files picked or dropped, sent one after the other: the node takes two transfers at once, for every client. */
  const uploads = { queue: [], running: false };

  $('file-button').addEventListener('click', () => $('file-input').click());

  $('file-input').addEventListener('change', () => {
    const files = [...$('file-input').files];
    // cleared, so that picking the same file again is a change too
    $('file-input').value = '';
    offerFiles(files);
  });

  /** Whether a drag carries files (not text or a link, which the composer takes as usual). */
  function carriesFiles(event) {
    return Boolean(event.dataTransfer) && [...event.dataTransfer.types].includes('Files');
  }

  let dragDepth = 0;
  $('conversation-view').addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth += 1;
    const toPeer = state.open && state.open.kind === 'peer';
    $('drop-hint').firstElementChild.textContent = toPeer ? 'Drop to send to ' + nameOf(state.open.id) : 'Files go to one contact, not to groups';
    $('drop-hint').hidden = false;
  });
  $('conversation-view').addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = state.open && state.open.kind === 'peer' ? 'copy' : 'none';
  });
  $('conversation-view').addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) $('drop-hint').hidden = true;
  });
  $('conversation-view').addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth = 0;
    $('drop-hint').hidden = true;
    offerFiles([...event.dataTransfer.files]);
  });
  // a file dropped anywhere else must not make the browser leave the page to show it
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (event) => {
      if (carriesFiles(event)) event.preventDefault();
    });
  }

  /** Queues files for the open 1:1 conversation; a file over the node's limit is refused here, before any upload. */
  function offerFiles(files) {
    const open = state.open;
    if (!open || files.length === 0) return;
    if (open.kind !== 'peer') {
      showError('conversation-error', 'Files go to one contact at a time, not to groups.');
      return;
    }
    showError('conversation-error', '');
    const tooLarge = files.filter((f) => f.size > MAX_FILE_BYTES);
    for (const file of files) if (file.size <= MAX_FILE_BYTES) uploads.queue.push({ file, to: open.id });
    if (tooLarge.length > 0) {
      // just over the limit rounds to the limit: then the exact count says why
      const sizeOf = (f) => formatSize(f.size) === formatSize(MAX_FILE_BYTES) ? f.size.toLocaleString('en') + ' bytes' : formatSize(f.size);
      showError('conversation-error', 'Not sent: ' + tooLarge.map((f) => f.name + ' is ' + sizeOf(f)).join(', ')
        + '; a file can be at most 64 MiB (' + MAX_FILE_BYTES.toLocaleString('en') + ' bytes).');
    }
    runUploads();
  }

  async function runUploads() {
    if (uploads.running) return;
    uploads.running = true;
    try {
      while (uploads.queue.length > 0) {
        const { file, to } = uploads.queue.shift();
        const label = file.name + ' (' + formatSize(file.size) + ')';
        showTransfer('Sending ' + label + ' to ' + nameOf(to) + '…', 0);
        try {
          const sent = await uploadFile(file, to, (share) => showTransfer(share < 1
            ? 'Sending ' + label + ' to ' + nameOf(to) + '…'
            : 'Encrypting ' + label + ' for ' + nameOf(to) + '…', share));
          noteDelivery(sent.lastEnvelope, sent.state);
          // the answer has no position: the conversation's next page holds the file
          if (state.open && state.open.kind === 'peer' && state.open.id === to) await loadNewer();
        } catch (e) {
          if (e.status === 401) {
            uploads.queue.length = 0;
            return;
          }
          showError('conversation-error', 'Not sent: ' + label + ' to ' + nameOf(to) + ': ' + e.message);
        }
      }
    } finally {
      uploads.running = false;
      $('transfer').hidden = true;
    }
  }

  function showTransfer(text, share) {
    $('transfer').hidden = false;
    $('transfer-text').textContent = text + ' ' + Math.round(share * 100) + '%';
    $('transfer-progress').value = share;
  }

  /**
   * The file's media type as the node takes it (printable ASCII, no spaces); a form's type would
   * make the node's body handler read the file as a form, so that one goes as plain bytes.
   */
  function mediaTypeOf(file) {
    const type = file.type;
    if (!/^[\x21-\x7e]{1,127}$/.test(type) || /^(multipart\/form-data|application\/x-www-form-urlencoded)$/i.test(type)) {
      return 'application/octet-stream';
    }
    return type;
  }

  /** POST /files with the file as the body; XMLHttpRequest, because fetch tells nothing of an upload's progress. */
  function uploadFile(file, to, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', API + '/files?to=' + encodeURIComponent(to) + '&name=' + encodeURIComponent(file.name));
      xhr.setRequestHeader('Authorization', 'Bearer ' + state.token);
      xhr.setRequestHeader('Content-Type', mediaTypeOf(file));
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
      });
      xhr.addEventListener('load', () => {
        if (xhr.status === 401) {
          askForToken('The node refused the token. Enter the current one.');
          reject(new ApiError(401, 'the node refused the token'));
          return;
        }
        try {
          resolve(parseAnswer(xhr.status, xhr.status >= 200 && xhr.status < 300, xhr.responseText));
        } catch (e) {
          reject(e);
        }
      });
      xhr.addEventListener('error', () => reject(new ApiError(0, 'the node does not answer')));
      xhr.send(file);
    });
  }

  /** Fetches a received file with the token and hands it to the browser as a download; the token never goes in a URL. */
  async function download(button, peer, position, name) {
    if (button.disabled) return;
    button.disabled = true;
    button.textContent = 'Downloading…';
    try {
      let response;
      try {
        response = await fetch(API + '/conversations/' + encodeURIComponent(peer) + '/files/' + position, {
          headers: { Authorization: 'Bearer ' + state.token }, cache: 'no-store',
        });
      } catch (e) {
        throw new ApiError(0, 'the node does not answer');
      }
      if (response.status === 401) {
        askForToken('The node refused the token. Enter the current one.');
        return;
      }
      if (!response.ok) parseAnswer(response.status, false, await response.text());
      const url = URL.createObjectURL(await response.blob());
      // the name is only the download's suggested name: the browser cleans it and picks the folder
      const link = el('a', { attrs: { href: url, download: name, hidden: '' } });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_MS);
    } catch (e) {
      showError('conversation-error', 'Cannot download ' + name + ': ' + e.message);
    } finally {
      button.disabled = false;
      button.textContent = 'Download';
    }
  }

  // ------------------------------------------------------------------ groups

  $('invite-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const open = state.open;
    const peer = $('invite-select').value;
    if (!open || open.kind !== 'group' || !peer) return;
    $('invite-button').disabled = true;
    try {
      await api('POST', '/groups/' + encodeURIComponent(open.id) + '/members', { peer });
      await loadGroups();
      renderSidebar();
      if (open === state.open) renderConversationHeader();
    } catch (e) {
      showError('conversation-error', 'Cannot invite: ' + e.message);
      $('invite-button').disabled = false;
    }
  });

  $('leave-group').addEventListener('click', async () => {
    const open = state.open;
    if (!open || open.kind !== 'group') return;
    const group = state.groups.find((g) => g.id === open.id);
    if (!confirm('Leave the group ' + (group ? group.name : '') + '?')) return;
    try {
      await api('POST', '/groups/' + encodeURIComponent(open.id) + '/leave');
      await loadGroups();
      state.open = null;
      $('conversation-view').hidden = true;
      $('empty-state').hidden = false;
      renderSidebar();
    } catch (e) {
      showError('conversation-error', 'Cannot leave: ' + e.message);
    }
  });

  // ------------------------------------------------------------------ live events

  /**
   * Reads GET /events with fetch (EventSource cannot send the Authorization header) and
   * reconnects with a growing wait whenever the stream ends or fails.
   */
  function connectEvents() {
    let closed = false;
    let controller = null;
    let retryTimer = null;
    let wait = RECONNECT_FIRST_MS;

    const setLive = (live) => {
      $('connection').dataset.live = String(live);
      $('connection').textContent = live ? 'live' : 'reconnecting…';
    };

    const connect = async () => {
      controller = new AbortController();
      try {
        const response = await fetch(API + '/events', {
          headers: { Authorization: 'Bearer ' + state.token, Accept: 'text/event-stream' },
          cache: 'no-store',
          signal: controller.signal,
        });
        if (response.status === 401) {
          askForToken('The node refused the token. Enter the current one.');
          return;
        }
        if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
        setLive(true);
        wait = RECONNECT_FIRST_MS;
        catchUp();
        await readEvents(response.body, dispatchEvent);
      } catch (e) {
        // ended or failed: reconnect below, unless closed on purpose
      }
      if (closed) return;
      setLive(false);
      const jitter = Math.random() * wait * 0.2;
      retryTimer = setTimeout(connect, wait + jitter);
      wait = Math.min(wait * 2, RECONNECT_MAX_MS);
    };

    connect();
    return {
      close() {
        closed = true;
        clearTimeout(retryTimer);
        if (controller) controller.abort();
      },
    };
  }

  /** Splits the stream into server-sent events (blank-line separated blocks of `field: value` lines). */
  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      // the node ends lines with \n; tolerate \r\n from anything in between
      buffer += value.replace(/\r\n/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event) onEvent(event);
      }
      if (buffer.length > MAX_EVENT_CHARS) throw new Error('event too large');
    }
  }

  function parseEvent(block) {
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue; // a comment: the node's keepalive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return null;
    try {
      return { type, data: JSON.parse(data.join('\n')) };
    } catch (e) {
      return null;
    }
  }

  function dispatchEvent(event) {
    if (event.type === 'message') onMessageEvent(event.data);
    else if (event.type === 'delivery') onDeliveryEvent(event.data);
  }

  function onMessageEvent(m) {
    const kind = m.group ? 'group' : 'peer';
    const id = m.group || m.sender;
    const open = state.open;
    if (open && open.kind === kind && open.id === id) {
      loadNewer().catch(() => {});
      return;
    }
    state.unread.add(keyOf(kind, id));
    const known = kind === 'peer' ? state.conversations.some((c) => c.peerId === id) : state.groups.some((g) => g.id === id);
    const reload = known ? Promise.resolve() : kind === 'peer' ? loadConversations() : loadGroups();
    reload.then(renderSidebar, renderSidebar);
  }

  function onDeliveryEvent(d) {
    const shown = $('messages').querySelector('li.message[data-envelope="' + CSS.escape(d.envelope) + '"]');
    updateDelivery(d.envelope, d.state);
    // a message sent from elsewhere (ferry send) to the open conversation: fetch it
    if (!shown && state.open && state.open.kind === 'peer' && state.open.id === d.recipient) loadNewer().catch(() => {});
  }

  /** After (re)connecting: whatever happened while no stream was open. */
  function catchUp() {
    Promise.all([loadConversations(), loadGroups()]).then(renderSidebar, () => {});
    if (state.open) {
      loadNewer().catch(() => {});
      refreshOpenDeliveries();
    }
  }

  // ------------------------------------------------------------------ boot

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    start();
  });

  window.addEventListener('hashchange', () => {
    // a `ferry web` link pasted into this tab: use its token
    if (new URLSearchParams(location.hash.slice(1)).has('token')) {
      stop();
      takeTokenFromFragment();
      start();
    }
  });

  takeTokenFromFragment();
  start();
})();
