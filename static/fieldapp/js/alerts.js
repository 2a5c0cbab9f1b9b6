// Getting an officer's attention: a beep, a vibration and a notification.
//
// Browsers only let a page make sound after a user gesture, so the first tap
// anywhere on the page unlocks the audio context; the beep is synthesised with
// WebAudio so no sound file has to be downloaded over a weak network.

const ASKED_KEY = "luchang.alerts.asked";
let audioContext = null;

function ensureAudio() {
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  if (!AudioContextClass) return null;
  if (!audioContext) {
    try {
      audioContext = new AudioContextClass();
    } catch (error) {
      return null;
    }
  }
  if (audioContext.state === "suspended") audioContext.resume().catch(() => {});
  return audioContext;
}

export function unlockAudioOnFirstGesture() {
  const unlock = () => {
    const context = ensureAudio();
    if (context && context.state === "running") {
      window.removeEventListener("pointerdown", unlock, true);
      window.removeEventListener("keydown", unlock, true);
    }
  };
  window.addEventListener("pointerdown", unlock, true);
  window.addEventListener("keydown", unlock, true);
}

export function audioReady() {
  return Boolean(audioContext && audioContext.state === "running");
}

// Three loud, short square-wave beeps: audible over traffic and not
// mistaken for a phone call.
export function beep({ times = 3, frequency = 1046, duration = 0.18, gap = 0.12 } = {}) {
  const context = ensureAudio();
  if (!context || context.state !== "running") return false;
  const start = context.currentTime + 0.02;
  for (let index = 0; index < times; index += 1) {
    const at = start + index * (duration + gap);
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "square";
    oscillator.frequency.setValueAtTime(frequency, at);
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.4, at + 0.01);
    gain.gain.setValueAtTime(0.4, at + duration - 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + duration);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + duration + 0.01);
  }
  return true;
}

export function vibrate(pattern = [400, 150, 400, 150, 400]) {
  if (!navigator.vibrate) return false;
  // Browsers refuse (and log) vibration before the first tap on the page; the
  // banner and the sound still announce a job that arrives before it.
  if (navigator.userActivation && !navigator.userActivation.hasBeenActive) return false;
  try {
    return navigator.vibrate(pattern);
  } catch (error) {
    return false;
  }
}

export function notificationsSupported() {
  return "Notification" in window;
}

export async function notify(title, body, { tag = "luchang-assignment", url = window.location.href } = {}) {
  if (!notificationsSupported() || Notification.permission !== "granted") return false;
  const options = { body, tag, renotify: true, requireInteraction: true, data: { url } };
  try {
    const registration = navigator.serviceWorker && (await navigator.serviceWorker.getRegistration());
    if (registration) {
      await registration.showNotification(title, options);
      return true;
    }
    new Notification(title, options);
    return true;
  } catch (error) {
    return false;
  }
}

// The officer is asked once; the answer is remembered on the phone.
export function shouldAsk() {
  try {
    if (localStorage.getItem(ASKED_KEY)) return false;
  } catch (error) {
    return false;
  }
  return true;
}

export function rememberAsked() {
  try {
    localStorage.setItem(ASKED_KEY, new Date().toISOString());
  } catch (error) {
    // Private mode: the question will come back next time, which is harmless.
  }
}

// Called from the "turn on alerts" button, which is the user gesture that
// both unlocks audio and allows the permission prompt.
export async function enableAlerts() {
  ensureAudio();
  rememberAsked();
  let permission = "unsupported";
  if (notificationsSupported()) {
    permission = Notification.permission;
    if (permission === "default") {
      try {
        permission = await Notification.requestPermission();
      } catch (error) {
        permission = "denied";
      }
    }
  }
  beep({ times: 1 });
  vibrate([200]);
  return permission;
}

// Everything at once for a new assignment; each part fails quietly where the
// browser does not allow it.
export function announce(title, body) {
  beep();
  vibrate();
  if (document.visibilityState !== "visible") notify(title, body);
}
