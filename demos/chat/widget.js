// La caja de chat del taller, en castellano: mensajes, respuesta que se escribe en vivo, Enviar,
// Detener, Borrar y preguntas de ejemplo. Python (demos/chat/widget.py) guarda la conversación y
// escribe la respuesta; aquí solo se dibuja y se avisa lo que la persona hizo.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function bubble(role, text, writing) {
  const row = el("div", `chat-fila chat-${role === "user" ? "yo" : "modelo"}`);
  const who = el("div", "chat-quien", role === "user" ? "Tú" : "Modelo");
  const body = el("div", "chat-texto" + (writing ? " chat-escribiendo" : ""), text);
  row.append(who, body);
  return row;
}

function render({ model, el: root }) {
  const box = el("div", "chat-caja");
  const list = el("div", "chat-lista");
  list.setAttribute("role", "log");
  list.setAttribute("aria-live", "polite");
  const examples = el("div", "chat-ejemplos");
  const form = el("div", "chat-escribir");
  const input = el("textarea", "chat-entrada");
  input.rows = 2;
  input.setAttribute("aria-label", "Tu mensaje");
  const send = el("button", "chat-boton chat-enviar", "Enviar ➤");
  const stop = el("button", "chat-boton chat-detener", "■ Detener");
  const clear = el("button", "chat-boton chat-borrar", "🗑 Borrar conversación");
  for (const button of [send, stop, clear]) button.type = "button";
  form.append(input, send, stop, clear);
  box.append(list, examples, form);
  root.append(box);

  const submit = (text) => {
    text = (text ?? input.value).trim();
    if (!text || model.get("busy")) return;
    model.set("send", { id: (model.get("send").id || 0) + 1, text });
    model.save_changes();
    input.value = "";
  };
  const bump = (name) => {
    model.set(name, model.get(name) + 1);
    model.save_changes();
  };
  send.addEventListener("click", () => submit());
  stop.addEventListener("click", () => bump("stop"));
  clear.addEventListener("click", () => bump("clear"));
  // Enter envía; Mayús + Enter hace una línea nueva. Las teclas no salen de la caja: así escribir
  // (espacio, flechas) no cambia de diapositiva.
  input.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("keyup", (event) => event.stopPropagation());

  const drawMessages = () => {
    const messages = model.get("messages");
    const writing = model.get("busy");
    list.replaceChildren();
    if (!messages.length && !writing) {
      list.append(el("div", "chat-vacio", "Todavía no hay mensajes: escribe una pregunta abajo."));
    }
    for (const message of messages) list.append(bubble(message.role, message.content, false));
    if (writing) list.append(bubble("assistant", model.get("streaming") || "…", true));
    list.scrollTop = list.scrollHeight;
  };
  const drawControls = () => {
    const busy = model.get("busy");
    input.placeholder = model.get("placeholder");
    send.disabled = busy;
    stop.hidden = !busy;
    clear.disabled = busy || !model.get("messages").length;
    box.style.setProperty("--alto-lista", `${model.get("max_height")}px`);
    examples.replaceChildren();
    const prompts = model.get("prompts");
    if (prompts.length) examples.append(el("span", "chat-ejemplos-titulo", "Ejemplos:"));
    for (const prompt of prompts) {
      const chip = el("button", "chat-ejemplo", prompt);
      chip.type = "button";
      chip.disabled = busy;
      chip.addEventListener("click", () => submit(prompt));
      examples.append(chip);
    }
  };
  const drawAll = () => {
    drawMessages();
    drawControls();
  };
  // al terminar una respuesta se avisa a Python: las celdas que leen la conversación se recalculan
  const answered = () => {
    if (model.get("busy")) return;
    model.set("seen", model.get("seen") + 1);
    model.save_changes();
  };
  model.on("change:messages", drawAll);
  model.on("change:streaming", drawMessages);
  model.on("change:busy", drawAll);
  model.on("change:busy", answered);
  model.on("change:prompts", drawControls);
  model.on("change:placeholder", drawControls);
  drawAll();
}

export default { render };
