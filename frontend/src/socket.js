// The sandbox websocket (docs/protocol.md): connects, reconnects with backoff, tells a logged-out session from a
// network that is down, and hands each frame on as an object.

const MAX_BACKOFF_MS = 30000;
const UNAUTHORIZED = 4401; // the server's close code for a socket without a session

// Milliseconds before reconnection number `retries` (0 for the first): doubling up to 30 s, with ±20% jitter so
// that not every tab comes back at the same instant. `random` is Math.random, or a fixed number in tests.
export function reconnectDelay(retries, random = Math.random) {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** retries);
  return Math.round(base * (0.8 + random() * 0.4));
}

// A frame as an object with a `type`, or null for anything else (the server never sends that; a proxy might).
export function parseFrame(raw) {
  let frame;
  try {
    frame = JSON.parse(raw);
  } catch (error) {
    return null;
  }
  return frame && typeof frame === "object" && typeof frame.type === "string" ? frame : null;
}

export function socketUrl(location, path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

// handlers: {onStatus(status, params), onOpen(), onFrame(frame), onClose()}; sessionUrl answers 200 while the
// session is good. Status is connecting, open, retrying ({seconds}) or loggedOut.
export function createConnection(url, sessionUrl, handlers) {
  const conn = { socket: null, open: false, retries: 0, timer: null, loggedOut: false };

  function connect() {
    clearTimeout(conn.timer);
    if (conn.loggedOut) return;
    handlers.onStatus("connecting");
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      scheduleReconnect();
      return;
    }
    conn.socket = socket;
    socket.addEventListener("open", () => onOpen(socket));
    socket.addEventListener("message", (event) => {
      const frame = socket === conn.socket ? parseFrame(event.data) : null;
      if (frame) handlers.onFrame(frame);
    });
    socket.addEventListener("close", (event) => onClose(socket, event));
  }

  function onOpen(socket) {
    if (socket !== conn.socket) return;
    conn.open = true;
    conn.retries = 0;
    handlers.onStatus("open");
    handlers.onOpen();
  }

  function onClose(socket, event) {
    if (socket !== conn.socket) return;
    const neverOpened = !conn.open;
    conn.open = false;
    conn.socket = null;
    handlers.onClose();
    if (event.code === UNAUTHORIZED) {
      markLoggedOut();
    } else if (neverOpened && conn.retries >= 1) {
      // A refused handshake reaches the browser as a bare 1006, so ask plain HTTP whether the session is still good.
      sessionIsGood().then((ok) => (ok ? scheduleReconnect() : markLoggedOut()));
    } else {
      scheduleReconnect();
    }
  }

  async function sessionIsGood() {
    try {
      return (await fetch(sessionUrl, { credentials: "same-origin", redirect: "manual" })).ok;
    } catch (error) {
      return true; // the network itself is down: keep trying, the session may be fine
    }
  }

  function markLoggedOut() {
    conn.loggedOut = true;
    handlers.onStatus("loggedOut");
  }

  function scheduleReconnect() {
    const delay = reconnectDelay(conn.retries);
    conn.retries += 1;
    handlers.onStatus("retrying", { seconds: Math.max(1, Math.round(delay / 1000)) });
    clearTimeout(conn.timer);
    conn.timer = setTimeout(connect, delay);
  }

  // Back online or back in view: try at once rather than wait out the backoff.
  function reconnectNow() {
    if (conn.socket || conn.loggedOut) return;
    conn.retries = 0;
    connect();
  }

  // Whether the message went out; it does not while the socket is closed.
  function send(message) {
    if (!conn.open) return false;
    conn.socket.send(JSON.stringify(message));
    return true;
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") reconnectNow(); });
  return { connect, send, get open() { return conn.open; } };
}
