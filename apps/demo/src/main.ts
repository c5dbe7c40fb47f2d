// The end-to-end tour; grows with every package that lands.
console.log('MSC demo: nothing to show yet.');
