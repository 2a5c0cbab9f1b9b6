// 我的岗点: the card says "已到岗 12 分钟" from the server's reading of the track
// (no check-in button), and one tap reports the traffic state.
import { getJson, postJson } from "../../../common/js/http.js";
import { pageConfig } from "../../../common/js/ui.js";
import { watchConnection } from "./connection.js";

const config = pageConfig();
const connection = watchConnection({ labels: config.labels.connection, probeUrl: config.urls.probe, probeMs: config.probeMs });

async function refresh() {
  try {
    const posts = await getJson(config.urls.posts);
    connection.heard();
    for (const post of posts) {
      const card = document.querySelector(`.post-card[data-point="${post.id}"]`);
      if (card) card.querySelector("[data-here]").textContent = post.here_text;
    }
  } catch (error) {
    // Offline or a server restart: the next round tries again.
    connection.lost();
  }
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-traffic]");
  if (!button) return;
  const card = button.closest(".post-card");
  const said = card.querySelector("[data-traffic-said]");
  const target = config.urls.traffic.replace("/0/", `/${card.dataset.point}/`);
  try {
    const answer = await postJson(target, { state: button.dataset.traffic });
    connection.heard();
    said.textContent = answer.ok ? `${config.labels.saved} · ${config.labels.traffic[button.dataset.traffic]}` : config.labels.failed;
  } catch (error) {
    connection.lost();
    said.textContent = config.labels.failed;
  }
});

setInterval(refresh, config.refreshMs);
