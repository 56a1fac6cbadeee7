// The demo page: two pages open /?room=..., type a name, click Join; each shows the other's video
// in a .remote-video element that plays.
import { e2eTest } from './lib/harness.mjs';

e2eTest('demo page: two visitors see each other', async (h) => {
  const server = await h.startServer();
  const chromium = await h.chromium();
  const room = h.room('demo');
  const pages = [];
  for (const name of ['Ada', 'Grace']) {
    const p = await chromium.newPlainPeer(server, name, `/?room=${encodeURIComponent(room)}`);
    await p.page.fill('#name', name);
    await p.page.click('#join');
    pages.push(p);
  }
  for (const p of pages) {
    const first = await h.waitFor(`${p.label}: a .remote-video playing`, () =>
      p.evaluate(() => {
        const v = [...document.querySelectorAll('video.remote-video, .remote-video video, .remote-video')].find(
          (el) => el instanceof HTMLVideoElement && el.videoWidth > 0 && el.currentTime > 0,
        );
        return v ? { currentTime: v.currentTime, videoWidth: v.videoWidth } : null;
      }),
    );
    await h.waitFor(`${p.label}: the .remote-video clock to advance`, () =>
      p.evaluate((t0) => {
        const v = [...document.querySelectorAll('video.remote-video, .remote-video video, .remote-video')].find(
          (el) => el instanceof HTMLVideoElement && el.videoWidth > 0,
        );
        return v && v.currentTime > t0 + 1 ? true : null;
      }, first.currentTime),
    );
  }
});
