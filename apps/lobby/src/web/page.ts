/**
 * The browser client's page. It has no inline script or style: the script is `/lobby.js` and the
 * style `/lobby.css`, both served next to it, so the page's CSP allows only `'self'` for each.
 * Everything the server sends is put in with `textContent` by the script (`dom.ts`).
 */
export const indexHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MSC lobby</title>
<link rel="stylesheet" href="/lobby.css">
</head>
<body>
<header class="top">
  <h1>MSC lobby</h1>
  <p id="status" class="status" data-testid="status" role="status">Connecting…</p>
  <div id="me" class="me" data-testid="me" hidden>
    <span id="me-name" class="me-name" data-testid="me-name"></span>
    <code id="me-fingerprint" class="fingerprint" data-testid="me-fingerprint" title="your key's fingerprint"></code>
    <button id="rename" type="button" class="link" data-testid="rename">Change name</button>
  </div>
</header>
<div id="errors" class="errors" data-testid="errors" role="alert"></div>
<main>
  <section id="welcome" class="panel welcome" data-testid="welcome" hidden aria-labelledby="welcome-title">
    <h2 id="welcome-title">Choose your name</h2>
    <p>Other players see it next to your key's fingerprint. This browser keeps both, so you choose it once.</p>
    <form id="name-form" data-testid="name-form">
      <label for="name-input">Your name</label>
      <div class="row">
        <input id="name-input" data-testid="name-input" name="name" required maxlength="24" autocomplete="nickname" spellcheck="false">
        <button type="submit" data-testid="name-submit">Enter the lobby</button>
      </div>
    </form>
  </section>

  <section id="games-panel" class="panel" data-testid="games-panel" hidden aria-labelledby="games-title">
    <h2 id="games-title">Open games</h2>
    <form id="create-form" class="create" data-testid="create-form">
      <label for="game-name">Start a new game</label>
      <div class="row">
        <input id="game-name" data-testid="game-name" name="game" maxlength="40" placeholder="friday night" spellcheck="false">
        <button type="submit" data-testid="create">Create</button>
      </div>
    </form>
    <ul id="games" class="games" data-testid="games" aria-live="polite"></ul>
    <p id="games-updated" class="muted small" data-testid="games-updated"></p>
  </section>

  <section id="game" class="panel game" data-testid="game" hidden aria-labelledby="game-title">
    <div class="game-head">
      <h2 id="game-title" data-testid="game-title"></h2>
      <span id="phase" class="badge" data-testid="phase"></span>
    </div>
    <p id="settings" class="muted" data-testid="settings"></p>
    <div class="game-body">
      <div class="game-main">
        <ol id="seats" class="seats" data-testid="seats" aria-label="seats"></ol>
        <div id="setup" class="setup" data-testid="setup">
          <label>Rounds
            <select id="rounds" data-testid="rounds"><option>1</option><option>2</option><option>3</option><option>4</option><option>5</option></select>
          </label>
          <label>Board
            <select id="board-size" data-testid="board-size"><option value="3">3×3</option><option value="4">4×4</option><option value="5">5×5</option></select>
          </label>
          <button id="launch" type="button" data-testid="launch">Launch</button>
        </div>
        <div id="play" class="play" data-testid="play" hidden>
          <p id="turn" class="turn" data-testid="turn" role="status"></p>
          <p id="players" class="players" data-testid="players"></p>
          <div class="boards">
            <div id="board" class="board" data-testid="board" role="group" aria-label="board"></div>
            <figure id="last-round" class="last-round" data-testid="last-round" hidden>
              <div id="last-board" class="board small" data-testid="last-board" role="group" aria-label="the last round's board"></div>
              <figcaption id="last-caption" class="small"></figcaption>
            </figure>
          </div>
          <p id="score" class="score" data-testid="score"></p>
        </div>
        <p id="result" class="result" data-testid="result" hidden></p>
      </div>
      <div class="game-side">
        <h3>Game log</h3>
        <ol id="log" class="log" data-testid="log"></ol>
        <form id="chat-form" class="chat" data-testid="chat-form">
          <label for="chat-text" class="visually-hidden">Message</label>
          <div class="row">
            <input id="chat-text" data-testid="chat-text" name="chat" maxlength="200" placeholder="say something" autocomplete="off">
            <button type="submit" data-testid="chat-send">Say</button>
          </div>
        </form>
      </div>
    </div>
    <div class="game-actions">
      <button id="resign" type="button" class="danger" data-testid="resign" hidden>Resign</button>
      <button id="leave" type="button" class="secondary" data-testid="leave" hidden>Leave seat</button>
      <button id="back" type="button" class="secondary" data-testid="back">Back to the lobby</button>
    </div>
  </section>
</main>
<script type="module" src="/lobby.js"></script>
</body>
</html>
`;
