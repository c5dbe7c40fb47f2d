/** The browser client's page; the script is served next to it as `/lobby.js`. */
export const indexHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MSC lobby</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em; max-width: 60em; }
  section { border: 1px solid #ccc; border-radius: 6px; padding: 0.5em 1em; margin: 1em 0; }
  #board { display: grid; gap: 4px; margin: 0.5em 0; }
  #board button { width: 3em; height: 3em; font-size: 1.2em; }
  #log, #moves { max-height: 16em; overflow: auto; font-family: ui-monospace, monospace; font-size: 13px; }
  #errors { color: #a00; }
</style>
</head>
<body>
<h1>MSC lobby</h1>
<p id="status" data-testid="status">connecting…</p>
<ul id="errors" data-testid="errors"></ul>
<section>
  <h2>Open games</h2>
  <input id="game-name" data-testid="game-name" placeholder="game name">
  <button id="create" data-testid="create">Create game</button>
  <button id="refresh" data-testid="refresh">Refresh</button>
  <ul id="games" data-testid="games"></ul>
</section>
<section id="game" hidden>
  <h2 id="game-title" data-testid="game-title"></h2>
  <p>latest LSN seen: <span id="lsn" data-testid="lsn"></span>; settings: <span id="settings" data-testid="settings"></span></p>
  <ul id="slots" data-testid="slots"></ul>
  <label>rounds <select id="rounds" data-testid="rounds"><option>1</option><option>2</option><option>3</option><option>4</option><option>5</option></select></label>
  <label>board <select id="board-size" data-testid="board-size"><option>3</option><option>4</option><option>5</option></select></label>
  <button id="launch" data-testid="launch">Launch</button>
  <button id="leave" data-testid="leave">Leave</button>
  <ol id="log" data-testid="log"></ol>
  <input id="chat-text" data-testid="chat-text" placeholder="say something">
  <button id="chat-send" data-testid="chat-send">Say</button>
</section>
<section id="play" hidden>
  <h2>Game</h2>
  <p id="play-status" data-testid="play-status"></p>
  <div id="board" data-testid="board"></div>
  <ol id="moves" data-testid="moves"></ol>
</section>
<script type="module" src="/lobby.js"></script>
</body>
</html>
`;
