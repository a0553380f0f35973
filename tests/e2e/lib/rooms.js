// Helpers of the chat room tests: the HTTP API with a key, and an event's ack or error.

// `method path` on the HTTP API with `Authorization: Bearer <key>`; resolves with {status, body}.
export function api(server, method, path, body, key) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(
    async (res) => ({ status: res.status, body: await res.json() }),
  );
}

// Resolves with the ack or the error event of `event`, whichever comes.
export function attempt(socket, event, arg) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event}: no answer`)), 5000);
    const onError = (e) => {
      if (e.event !== event) return;
      clearTimeout(timer);
      socket.off("error", onError);
      resolve({ error: e.message });
    };
    socket.on("error", onError);
    socket.emit(event, arg, (ack) => {
      if (ack && ack.success === false) return; // the error event follows
      clearTimeout(timer);
      socket.off("error", onError);
      resolve({ ack });
    });
  });
}
