// NAME
//   hawtio-tour.mjs - a headless Chromium tour of the camel-mta Hawtio console
// SYNOPSIS
//   node hawtio-tour.mjs URL USER PASSWORD OUTDIR
//   node hawtio-tour.mjs http://127.0.0.1:8161/hawtio/ admin secret /tmp/shots
// DESCRIPTION
//   Drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) with playwright-core the way an
//   administrator would: types USER and PASSWORD into the console's login form and clicks
//   "Log in"; opens Camel > camel-mta > routes > Route Diagram (the mail flow of context
//   camel-mta) and the qmgr route's own diagram; opens JMX > org.apache.activemq.artemis >
//   camel-mta > addresses (the queues incoming, active, deferred, hold, corrupt) and selects
//   the deferred queue's MBean, whose attributes show its message count. Each page is saved as a PNG in OUTDIR:
//     camel-routes.png         the routes table of camel-mta (names, state, exchange counts)
//     camel-route-diagram.png  the route diagram of camel-mta (all routes)
//     camel-qmgr-diagram.png   the diagram of the qmgr route, with live counts on its steps
//     artemis-queues.png       the Artemis addresses/queues in the JMX tree, deferred selected
//   and the script prints one JSON object on stdout with what each page showed:
//     {"login":true,"pages":[{"page":"camel-routes","url":...,"screenshot":...,"routes":[...]},
//       {"page":"camel-route-diagram",...,"routes":[...],"diagramNodes":N,"diagramSteps":[...]},
//       {"page":"camel-qmgr-diagram",...,"diagramSteps":[...],"countsShown":true},
//       {"page":"artemis-queues",...,"queues":[...],"selected":"deferred",
//        "attributes":{"MessageCount":"1",...}}]}
// DIAGNOSTICS
//   Exit 2 on bad usage. Exit 1 with a message on stderr when the login is refused or a page
//   does not appear within its bounded wait (30 s a step); a screenshot of the page as it was
//   is left in OUTDIR as failure.png.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const STEP_TIMEOUT = 30_000;
const COUNTS_TIMEOUT = 20_000;
const VIEWPORT = { width: 1600, height: 1000 };

const [url, user, password, outDir] = process.argv.slice(2);
if (!url || !user || password === undefined || !outDir) {
  console.error('usage: node hawtio-tour.mjs URL USER PASSWORD OUTDIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: VIEWPORT });
page.setDefaultTimeout(STEP_TIMEOUT);

try {
  const report = { login: false, pages: [] };
  await logIn();
  report.login = true;
  report.pages.push(await camelRoutes());
  report.pages.push(await camelRouteDiagram());
  report.pages.push(await oneRouteDiagram('qmgr'));
  report.pages.push(await artemisQueues());
  console.log(JSON.stringify(report));
} catch (e) {
  await page.screenshot({ path: path.join(outDir, 'failure.png'), fullPage: true }).catch(() => {});
  console.error(`hawtio-tour: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}

/** The login form: typed like a person types, then the button. */
async function logIn() {
  await page.goto(url);
  const name = page.locator('#pf-login-username-id');
  await name.waitFor();
  await name.pressSequentially(user, { delay: 20 });
  await page.locator('#pf-login-password-id').pressSequentially(password, { delay: 20 });
  await page.getByRole('button', { name: 'Log in' }).click();
  try {
    await page.waitForURL((u) => !u.pathname.endsWith('/login'));
  } catch (e) {
    const alerts = await page.locator('.pf-v5-c-helper-text, .pf-v5-c-alert').allInnerTexts();
    throw new Error(`the login as ${user} was refused: ${alerts.join(' ').trim() || 'still on the login page'}`);
  }
  await page.locator('#hawtio-main-page').waitFor();
}

/** Camel > camel-mta > routes: the tree node, selected. */
async function openRoutesFolder() {
  await page.getByRole('link', { name: 'Camel', exact: true }).click();
  const tree = page.locator('#camel-tree-view');
  await tree.getByText('camel-mta', { exact: true }).first().waitFor();
  await tree.getByText('routes', { exact: true }).first().click();
  return tree;
}

/** Route names of context camel-mta as the Camel tree lists them. */
async function routeNames(tree) {
  const folder = tree.locator('li[id$="-folder-camel-mta-folder-routes-folder"]');
  return folder.locator(':scope > ul > li .pf-v5-c-tree-view__node-text').allInnerTexts();
}

async function camelRoutes() {
  const tree = await openRoutesFolder();
  await page.getByRole('link', { name: 'Routes', exact: true }).click();
  const table = page.locator('#camel-content-main table');
  await table.locator('tbody tr').first().waitFor();
  const names = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
  return {
    page: 'camel-routes',
    url: page.url(),
    screenshot: await shoot('camel-routes.png'),
    routes: names.map((n) => n.trim()),
    treeRoutes: await routeNames(tree),
  };
}

async function camelRouteDiagram() {
  const tree = await openRoutesFolder();
  await page.getByRole('link', { name: 'Route Diagram', exact: true }).click();
  const nodes = page.locator('.react-flow__node');
  await nodes.first().waitFor();
  await page.waitForFunction(() => document.querySelector('.react-flow__viewport')?.style.transform?.includes('scale'));
  // the steps' texts can come after the nodes themselves on a busy machine, as in oneRouteDiagram
  await nodes.filter({ hasText: 'From ' }).first().waitFor();
  await nodes.filter({ hasText: 'To direct:cleanup' }).first().waitFor();
  const labels = stepLabels(await nodes.allInnerTexts());
  return {
    page: 'camel-route-diagram',
    url: page.url(),
    screenshot: await shoot('camel-route-diagram.png'),
    routes: await routeNames(tree),
    diagramNodes: labels.length,
    diagramSteps: [...new Set(labels.filter((l) => /^(From|To) /.test(l)))],
  };
}

/** One route's diagram, legible, with its live exchange counts on the steps. */
async function oneRouteDiagram(route) {
  const tree = await openRoutesFolder();
  await tree.locator('li[id$="-folder-camel-mta-folder-routes-folder"] > ul > li')
    .filter({ has: page.getByText(route, { exact: true }) }).first()
    .locator('.pf-v5-c-tree-view__node-text').first().click();
  await page.getByRole('link', { name: 'Route Diagram', exact: true }).click();
  await page.getByRole('heading', { name: route, exact: true }).waitFor();
  const nodes = page.locator('.react-flow__node');
  await nodes.filter({ hasText: 'From ' }).first().waitFor();
  // the live exchange counts come with the console's next statistics poll
  const counts = await page.waitForFunction(() => [...document.querySelectorAll('.react-flow__node')]
    .some((n) => /^\s*\d+\s*$/m.test(n.innerText)), null, { timeout: COUNTS_TIMEOUT }).then(() => true, () => false);
  const labels = stepLabels(await nodes.allInnerTexts());
  return {
    page: `camel-${route}-diagram`,
    url: page.url(),
    screenshot: await shoot(`camel-${route}-diagram.png`),
    route,
    diagramNodes: labels.length,
    diagramSteps: labels,
    countsShown: counts,
  };
}

/** JMX > org.apache.activemq.artemis > camel-mta > addresses, with the deferred queue selected. */
async function artemisQueues() {
  await page.getByRole('link', { name: 'JMX', exact: true }).click();
  const tree = page.locator('#jmx-tree-view');
  const broker = 'org.apache.activemq.artemis-folder-camel-mta-folder';
  const addresses = `${broker}-addresses-folder`;
  const deferred = `${addresses}-deferred-folder`;
  for (const id of ['org.apache.activemq.artemis-folder', broker, addresses, deferred,
    `${deferred}-queues-folder`, `${deferred}-queues-folder-anycast-folder`]) {
    await expand(tree, id);
  }
  await tree.locator(`li[id="${deferred}-queues-folder-anycast-folder-deferred"] .pf-v5-c-tree-view__node-text`).first().click();
  const attributes = page.locator('main table').first();
  const messageCount = attributes.locator('tbody tr').filter({ has: page.getByText('MessageCount', { exact: true }) });
  await messageCount.first().waitFor();
  await messageCount.first().scrollIntoViewIfNeeded();
  const rows = await attributes.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
  const values = Object.fromEntries(rows.filter((r) => r.length >= 2).map((r) => [r[0], r[1]]));
  const queues = await tree.locator(`li[id="${addresses}"] > ul > li > div .pf-v5-c-tree-view__node-text`).allInnerTexts();
  return {
    page: 'artemis-queues',
    url: page.url(),
    screenshot: await shoot('artemis-queues.png'),
    queues: [...new Set(queues.map((q) => q.trim()))],
    selected: 'deferred',
    attributes: values,
  };
}

/** A diagram node's step name (its text also holds the live exchange counts). */
function stepLabels(texts) {
  return texts.map((t) => t.split('\n').map((line) => line.trim()).find((line) => /[A-Za-z]/.test(line)) || '');
}

/** Opens a folder of a Hawtio tree view by its toggle (a click on the name only selects). */
async function expand(tree, id) {
  const item = tree.locator(`li[id="${id}"]`);
  await item.waitFor();
  if ((await item.getAttribute('aria-expanded')) !== 'true') {
    await item.locator(':scope > div .pf-v5-c-tree-view__node-toggle').first().click();
    await page.waitForFunction((i) => document.getElementById(i)?.getAttribute('aria-expanded') === 'true', id);
  }
}

async function shoot(name) {
  const file = path.join(outDir, name);
  await page.screenshot({ path: file });
  return file;
}
