package dev.sodec.codec.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/models}: the loaded models by name, id and architecture (never their file paths). */
final class ModelsHandler implements Handler {
    private final ModelRegistry models;

    ModelsHandler(ModelRegistry models) {
        this.models = models;
    }

    @Override
    public ApiResponse handle(ApiRequest r) {
        List<Object> list = new ArrayList<>();
        String dflt = models.defaultModel().name();
        for (ModelRegistry.Loaded l : models.all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("id", l.idHex());
            m.put("architecture", l.architecture());
            m.put("shipped", l.shipped());
            m.put("generative", l.codec().hasGenerativeDecoder());
            m.put("default", l.name().equals(dflt));
            list.add(m);
        }
        return ApiResponse.json(200, Map.of("models", list));
    }
}
