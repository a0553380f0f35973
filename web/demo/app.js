// The demo chat page: a name, the room registry (GET /rooms), history on
// joining (GET /rooms/:id/messages), messages, typing indicators and who is
// in the room, all through the service's own events (docs/socketio.md) and
// HTTP API (docs/http-api.md). A ?token=JWT in the address is sent as
// auth.token; without one the connection is anonymous and named by auth.username.
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let socket = null;
let room = null; // the room joined
const typers = new Map(); // name -> timer that hides it
let typingTimer = null;

async function api(path, options) {
  const res = await fetch(path, options);
  const body = await res.json();
  if (!res.ok || body.success === false) throw new Error(body.error || body.message || res.statusText);
  return body.data;
}

function line(html, cls) {
  const li = document.createElement("li");
  if (cls) li.className = cls;
  li.append(...html);
  $("messages").append(li);
  $("messages").scrollTop = $("messages").scrollHeight;
}

function showMessage(m) {
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = m.username || m.userId || "anonymous";
  line([who, document.createTextNode(m.content)], "message");
}

function notice(text) {
  const span = document.createElement("span");
  span.textContent = text;
  line([span], "notice");
}

function renderTyping() {
  const names = [...typers.keys()];
  $("typing").textContent = names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "";
}

async function loadRooms() {
  let rooms = await api("/rooms");
  if (rooms.length === 0) {
    await api("/rooms", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "general" }) });
    rooms = await api("/rooms");
  }
  const list = $("rooms");
  list.replaceChildren();
  for (const r of rooms) {
    const li = document.createElement("li");
    li.textContent = r.name;
    li.dataset.id = r.id;
    li.classList.toggle("active", room === r.id);
    li.onclick = () => join(r.id, r.name);
    list.append(li);
  }
}

async function loadMembers() {
  if (!room) return;
  const members = await api(`/rooms/${encodeURIComponent(room)}/members`);
  const names = [...new Set(members.map((u) => u.username || u.userId || "anonymous"))];
  $("members").replaceChildren(...names.map((n) => Object.assign(document.createElement("li"), { textContent: n })));
}

async function join(id, name) {
  if (!socket || room === id) return;
  if (room) socket.emit("room:leave", { roomId: room });
  const answer = await socket.emitWithAck("room:join", { roomId: id });
  if (!answer || !answer.success) return notice(`could not join ${name}`);
  room = id;
  localStorage.setItem("switchboard-demo-room", id);
  $("room-title").textContent = `# ${name}`;
  for (const li of $("rooms").children) li.classList.toggle("active", li.dataset.id === id);
  $("messages").replaceChildren();
  typers.clear();
  renderTyping();
  const history = await api(`/rooms/${encodeURIComponent(id)}/messages?limit=100`);
  history.messages.sort((a, b) => a.timestamp - b.timestamp).forEach(showMessage);
  $("message").disabled = false;
  $("message-form").querySelector("button").disabled = false;
  $("message").focus();
  loadMembers();
}

function connect(name) {
  if (socket) socket.disconnect();
  const auth = { username: name };
  if (params.get("token")) auth.token = params.get("token");
  socket = io({ auth });
  socket.on("connect", async () => {
    $("status").textContent = `online as ${name}`;
    $("status").classList.add("online");
    try {
      await loadRooms();
    } catch (e) {
      // The registry is read through the HTTP API: loopback browsers only while API_KEY is unset.
      return notice(`cannot list the rooms (GET /rooms: ${e.message})`);
    }
    const last = localStorage.getItem("switchboard-demo-room");
    const item = [...$("rooms").children].find((li) => li.dataset.id === last) || $("rooms").firstElementChild;
    const wanted = item && item.dataset.id;
    room = null;
    if (wanted) join(wanted, item.textContent);
  });
  socket.on("disconnect", () => {
    $("status").textContent = "disconnected";
    $("status").classList.remove("online");
  });
  socket.on("connect_error", (err) => ($("status").textContent = `cannot connect: ${err.message}`));
  socket.on("message", (m) => {
    if (m.roomId !== room) return;
    typers.delete(m.username || m.userId);
    renderTyping();
    showMessage(m);
  });
  socket.on("typing", (t) => {
    if (t.roomId !== room) return;
    const who = t.username || t.userId || "someone";
    clearTimeout(typers.get(who));
    if (t.isTyping) typers.set(who, setTimeout(() => (typers.delete(who), renderTyping()), 4000));
    else typers.delete(who);
    renderTyping();
  });
  for (const [event, verb] of [["user:joined", "joined"], ["user:left", "left"]])
    socket.on(event, (u) => {
      if (u.roomId !== room) return;
      notice(`${u.username || u.userId || "someone"} ${verb}`);
      loadMembers();
    });
  socket.on("error", (e) => notice(`error: ${e.message}`));
}

$("name").value = localStorage.getItem("switchboard-demo-name") || "";
$("name-form").onsubmit = (e) => {
  e.preventDefault();
  const name = $("name").value.trim();
  if (!name) return;
  localStorage.setItem("switchboard-demo-name", name);
  connect(name);
};
$("room-form").onsubmit = async (e) => {
  e.preventDefault();
  const name = $("new-room").value.trim();
  if (!name) return;
  await api("/rooms", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  $("new-room").value = "";
  loadRooms();
};
$("message").oninput = () => {
  if (!room) return;
  if (!typingTimer) socket.emit("typing", { roomId: room, isTyping: true });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    typingTimer = null;
    socket.emit("typing", { roomId: room, isTyping: false });
  }, 2000);
};
$("message-form").onsubmit = async (e) => {
  e.preventDefault();
  const content = $("message").value.trim();
  if (!content || !room) return;
  clearTimeout(typingTimer);
  typingTimer = null;
  socket.emit("typing", { roomId: room, isTyping: false });
  $("message").value = "";
  const answer = await socket.emitWithAck("message", { roomId: room, content, type: "text" });
  if (answer && answer.success === false) notice(`not sent: ${answer.error}`);
};
if ($("name").value) connect($("name").value);
