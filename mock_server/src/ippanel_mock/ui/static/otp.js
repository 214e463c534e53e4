// A one-time code in an SMS: found, highlighted, and copied with one click, wherever the UI
// shows a captured SMS (the inbox and a number's conversation).

import { h } from "./dom.js";

const DIGIT = "0-9\u06F0-\u06F9\u0660-\u0669";
const OTP_CODE = new RegExp(`(?<![${DIGIT}])[${DIGIT}]{4,8}(?![${DIGIT}])`);
const OTP_HINT = /code|otp|pin|pass|verif|کد|رمز/i;

// A one-time code: 4 to 8 digits in an OTP message or in a text that speaks of a code.
function findOtp(message) {
  const likely = message.sending_type === "otp" || message.sending_type === "votp"
    || OTP_HINT.test(message.text);
  const found = likely ? OTP_CODE.exec(message.text) : null;
  return found ? { index: found.index, code: found[0] } : null;
}

const asciiDigits = (text) => text
  .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
  .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660));

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h("textarea", { class: "offscreen", "aria-hidden": "true" }, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy code"; }, 1500);
}

export function messageText(message) {
  const text = h("p", { class: "text", dir: "auto" });
  const otp = findOtp(message);
  if (!otp) {
    text.append(message.text);
    return h("div", { class: "msg-body" }, text);
  }
  const end = otp.index + otp.code.length;
  text.append(message.text.slice(0, otp.index), h("mark", { class: "otp" }, otp.code), message.text.slice(end));
  const code = asciiDigits(otp.code);
  const button = h("button", {
    type: "button", class: "copy", "data-code": code, "aria-label": `Copy code ${code}`,
    onclick: () => copy(code, button),
  }, "Copy code");
  return h("div", { class: "msg-body" }, text, button);
}
