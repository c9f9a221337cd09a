// Starts GraphiQL on the page served at GET /graphql: eventgraph's example query, the
// documentation explorer open, and a fetcher that posts JSON to the endpoint, or, for a
// subscription, follows it over a WebSocket to the same path (graphql-transport-ws, with the
// graphql-ws client GraphiQL bundles; the Headers editor's headers go in connection_init).
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  var endpoint = root.dataset.endpoint;
  var socketUrl = new URL(endpoint, window.location.href);
  socketUrl.protocol = socketUrl.protocol === "https:" ? "wss:" : "ws:";
  var live = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: socketUrl.href });

  // Whether the operation to run is a subscription (comments aside; by its name if given).
  function isSubscription(params) {
    var text = params.query.replace(/#[^\n]*/g, "");
    if (params.operationName) {
      return new RegExp("\\bsubscription\\s+" + params.operationName + "\\b").test(text);
    }
    return /^\s*subscription\b/.test(text);
  }

  // GraphiQL calls this with {query, variables, operationName} and the headers typed in its
  // Headers editor; the answer is the response body, or an error shaped like one.
  function fetcher(params, options) {
    if (isSubscription(params)) {
      return live(params, options);
    }
    var headers = Object.assign(
      { "content-type": "application/json", accept: "application/json" },
      (options && options.headers) || {}
    );
    return fetch(endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(params),
      credentials: "same-origin",
    }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (error) {
          return { errors: [{ message: "HTTP " + response.status + ": " + text }] };
        }
      });
    });
  }

  // Tabs and history are kept under keys of eventgraph's own, so what another GraphiQL once
  // stored for this origin (Strawberry's, before this page existed) does not replace the example.
  var prefix = "eventgraph:";
  var storage = {
    getItem: function (key) { return window.localStorage.getItem(prefix + key); },
    setItem: function (key, value) { window.localStorage.setItem(prefix + key, value); },
    removeItem: function (key) { window.localStorage.removeItem(prefix + key); },
    clear: function () {
      Object.keys(window.localStorage)
        .filter(function (key) { return key.indexOf(prefix) === 0; })
        .forEach(function (key) { window.localStorage.removeItem(key); });
    },
    get length() {
      return Object.keys(window.localStorage).filter(function (key) {
        return key.indexOf(prefix) === 0;
      }).length;
    },
  };

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: root.dataset.example,
      storage: storage,
      visiblePlugin: "Documentation Explorer",
    })
  );
})();
