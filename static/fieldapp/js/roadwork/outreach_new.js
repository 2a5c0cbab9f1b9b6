// The outreach record posts as a plain form; the page only shows whether the
// phone reaches the server, as /field/ does, since saving needs the network.
import { pageConfig } from "../../../common/js/ui.js";
import { watchConnection } from "./connection.js";

const config = pageConfig();
watchConnection({ labels: config.labels.connection, probeUrl: config.urls.probe, probeMs: config.probeMs });
